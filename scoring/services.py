"""Writes for scoring: create a run, execute it (atomic, idempotent, retry-safe).

A run is keyed by a hash of everything that determines its result: the framework
version, the method settings, the data selection, the scope and the dataset releases
read. Executing a run whose twin is already DONE changes nothing. Scores are written in
one transaction and the run is marked DONE (and current) last, so a crash part-way
leaves no half-written scores and a retry starts clean.
"""

import hashlib
import json
import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from django.db import models, transaction
from django.utils import timezone

from frameworks.models import FrameworkVersion
from scoring.adapters import COUNCILS, Selection, scoring_inputs
from scoring.engine import (
    MethodSettings,
    ObservationCube,
    assess_robustness,
    compute_drivers,
    compute_scores,
    find_hidden_weaknesses,
)
from scoring.models import RunStatus, Score, ScoreDriver, ScoreFlag, ScoringRun
from tpi_site.bulk import bulk_write_frame

logger = logging.getLogger(__name__)


def _hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def method_record(settings: MethodSettings, selection: Selection) -> dict[str, Any]:
    return {"engine": settings.as_dict(), "selection": selection.as_dict()}


def scoring_run_create(
    *,
    version: FrameworkVersion,
    scope: str = COUNCILS,
    settings: MethodSettings | None = None,
    selection: Selection | None = None,
) -> ScoringRun:
    settings = settings or MethodSettings()
    selection = selection or Selection()
    return ScoringRun.objects.create(
        framework_version=version,
        method_id=settings.method_id,
        method_settings=method_record(settings, selection),
        scope=scope,
        inputs_hash="",
        status=RunStatus.PENDING,
    )


def _score_rows(run: ScoringRun, scores: pd.DataFrame, robust: pd.DataFrame | None) -> pd.DataFrame:
    keys = ["place", "reference_set", "period", "node"]
    frame = scores
    if robust is not None and not robust.empty:
        extra = robust[
            [*keys, "score_p5", "score_p95", "rank_p5", "rank_p95", "same_band_share", "robust"]
        ]
        frame = frame.merge(extra, on=keys, how="left")
    else:
        for column in ("score_p5", "score_p95", "rank_p5", "rank_p95", "same_band_share"):
            frame[column] = np.nan
        frame["robust"] = None
    rank_of = frame.groupby(["reference_set", "period", "node"])["score"].transform("count")
    return pd.DataFrame(
        {
            "run_id": run.pk,
            "place_id": frame["place"].astype(str),
            "node_key": frame["node"].astype(str),
            "level": frame["level"].astype(str),
            "year": frame["period"].astype(np.int64),
            "reference_set": frame["reference_set"].astype(str),
            "score": frame["score"],
            "uncapped": frame["score_uncapped"],
            "z": frame["z"],
            "band": frame["band"].astype(object).where(frame["band"].notna(), ""),
            "rank": frame["rank"].astype("Int64"),
            "rank_of": rank_of.astype("Int64"),
            "coverage_present": frame["n_present"].fillna(0).astype(np.int64),
            "coverage_expected": frame["n_expected"].fillna(0).astype(np.int64),
            "indicator_coverage": frame["indicator_coverage"],
            "score_low": frame["score_p5"],
            "score_high": frame["score_p95"],
            "rank_low": frame["rank_p5"],
            "rank_high": frame["rank_p95"],
            "band_agreement": frame["same_band_share"],
            "robust": frame["robust"].astype(object).where(frame["robust"].notna(), None),
        }
    )


def _driver_rows(run: ScoringRun, drivers: pd.DataFrame, aligned: pd.DataFrame) -> pd.DataFrame:
    periods = aligned.rename(columns={"year": "period"})[
        ["place", "indicator", "period", "period_start", "period_end"]
    ]
    frame = drivers.merge(periods, on=["place", "indicator", "period"], how="left")
    return pd.DataFrame(
        {
            "run_id": run.pk,
            "place_id": frame["place"].astype(str),
            "reference_set": frame["reference_set"].astype(str),
            "year": frame["period"].astype(np.int64),
            "node_key": frame["node"].astype(str),
            "level": frame["level"].astype(str),
            "slot_key": frame["slot"].astype(str),
            "indicator_key": frame["indicator"].astype(str),
            "value": frame["value"],
            "data_period_start": frame["period_start"]
            .astype(str)
            .where(frame["period_start"].notna()),
            "data_period_end": frame["period_end"].astype(str).where(frame["period_end"].notna()),
            "z": frame["z"],
            "weight": frame["weight"],
            "cap_factor": frame["cap_factor"],
            "contribution": frame["contribution"],
            "contribution_uncapped": frame["contribution_uncapped"],
            "score": frame["score"],
            "score_uncapped": frame["score_uncapped"],
        }
    )


def _flag_rows(run: ScoringRun, flags: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": run.pk,
            "place_id": flags["place"].astype(str),
            "reference_set": flags["reference_set"].astype(str),
            "year": flags["period"].astype(np.int64),
            "slot_key": flags["slot"].astype(str),
            "indicator_key": flags["indicator"].astype(str),
            "value": flags["value"],
            "z": flags["z"],
            "z_threshold": flags["z_threshold"],
            "bottom_decile": flags["bottom_decile"].astype(bool),
            "significantly_below": flags["significantly_below"].astype(bool),
            "hidden_by": flags["hidden_by"].astype(str),
            "hidden_by_level": flags["hidden_by_level"].astype(str),
            "hidden_by_score": flags["hidden_by_score"],
        }
    )


def _write(
    model: type[models.Model], frame: pd.DataFrame, text_not_null: tuple[str, ...] = ()
) -> int:
    return bulk_write_frame(
        model._meta.db_table, frame, columns=list(frame.columns), not_null_text=text_not_null
    )


def scoring_run_execute(*, run_id: int, robustness: bool = True) -> ScoringRun:
    """Compute and store a run; a DONE twin with the same inputs makes this a no-op."""
    run = ScoringRun.objects.select_related("framework_version").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    timings: dict[str, float] = {}
    began = time.perf_counter()
    run.status = RunStatus.STARTED
    run.started_at = timezone.now()
    run.error = ""
    run.save(update_fields=["status", "started_at", "error"])
    try:
        engine_settings = MethodSettings.from_dict(run.method_settings["engine"])
        selection = Selection(**run.method_settings["selection"])
        inputs = scoring_inputs(run.framework_version, scope=run.scope, selection=selection)
        timings["read"] = time.perf_counter() - began
        run.inputs_hash = _hash(
            {
                "framework": run.framework_version.checksum,
                # The tree as scored, weights included: stored node weights are not
                # all in the version's definition checksum.
                "tree": inputs.tree.checksum,
                "method": run.method_settings,
                "scope": run.scope,
                "releases": inputs.releases,
            }
        )
        twin = (
            ScoringRun.objects.filter(inputs_hash=run.inputs_hash, status=RunStatus.DONE)
            .exclude(pk=run.pk)
            .first()
        )
        if twin is not None:
            run.delete()  # the same inputs were scored already: nothing to recompute
            return twin

        step = time.perf_counter()
        cube = ObservationCube.from_long(inputs.observations, population=inputs.population)
        result = compute_scores(cube, inputs.tree, engine_settings)
        scores = result.to_frame()
        drivers = compute_drivers(result)
        flags = find_hidden_weaknesses(result)
        robust = (
            assess_robustness(cube, inputs.tree, engine_settings).summary if robustness else None
        )
        timings["engine"] = time.perf_counter() - step

        step = time.perf_counter()
        with transaction.atomic():
            written = {
                "scores": _write(Score, _score_rows(run, scores, robust), ("band",)),
                "drivers": _write(ScoreDriver, _driver_rows(run, drivers, inputs.aligned)),
                "flags": _write(ScoreFlag, _flag_rows(run, flags)),
            }
            ScoringRun.objects.filter(
                framework_version__framework=run.framework_version.framework,
                scope=run.scope,
                is_current=True,
            ).update(is_current=False)
            run.status = RunStatus.DONE
            run.is_current = True
            run.releases = inputs.releases
            run.periods = inputs.years
            run.counts = {
                **written,
                "places": int(inputs.observations["place"].nunique()),
                "slots_scored": len(inputs.tree.slots),
            }
            timings["write"] = time.perf_counter() - step
            timings["total"] = time.perf_counter() - began
            run.timings = {k: round(v, 3) for k, v in timings.items()}
            run.finished_at = timezone.now()
            run.save()
    except Exception as error:
        run.status = RunStatus.FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    logger.info("Scoring run %s done in %.1fs: %s", run.pk, timings["total"], run.counts)
    return run


def scoring_recompute(
    *, version: FrameworkVersion, scope: str = COUNCILS, robustness: bool = True
) -> ScoringRun:
    """Create and execute a run with the default method (what imports trigger)."""
    run = scoring_run_create(version=version, scope=scope)
    return scoring_run_execute(run_id=run.pk, robustness=robustness)

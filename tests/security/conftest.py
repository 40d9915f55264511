"""Two partnerships with overlapping real places, each with every kind of private object.

Alpha is the Norfolk partnership (the county and its seven districts), Bravo the Greater
Norwich one (Norwich, Broadland, South Norfolk): three districts are in both. Each owns a
local dataset with an indicator, a release and observations loaded through the real
pipeline, a bespoke framework scored by the real engine, an outcome, an import job and an
audit event. Every private name carries the partnership's marker ("alpha"/"bravo"), so a
response that mentions one can be caught by a plain text search.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from frameworks.models import Framework
from frameworks.services import framework_sync_definition
from indicators.importing import import_source
from indicators.models import Dataset, DatasetRelease, ImportJob, ImportStatus, Indicator
from indicators.sources.local import LocalFileSource
from partnerships.audit import audit_record
from partnerships.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Outcome,
    Partnership,
    Role,
)
from places.models import Place
from scoring.adapters import Selection
from scoring.models import ScoringRun
from scoring.services import scoring_run_create, scoring_run_execute

NORFOLK = "E10000020"
NORFOLK_DISTRICTS = [f"E0700014{n}" for n in range(3, 10)]  # Breckland ... South Norfolk
GREATER_NORWICH = ["E07000148", "E07000144", "E07000149"]  # Norwich, Broadland, South Norfolk
PASSWORD = "a long enough test password"
# Local data for two years, so the engine has a trend to score.
YEARS = (2022, 2023)
# Bespoke frameworks cover a handful of councils among all English ones: score any year
# in which they have data at all.
SELECTION = Selection(min_share_of_places=0.001, min_share_of_indicators=0.001)


@dataclass
class Side:
    """One partnership and everything it owns; ``marker`` is in each private name."""

    marker: str
    partnership: Partnership
    admin: Any
    viewer: Any
    organisation: Organisation
    dataset: Dataset
    indicator: Indicator
    release: DatasetRelease
    framework: Framework
    run: ScoringRun
    outcome: Outcome
    job: ImportJob
    audit: AuditEvent
    invitation: Invitation
    places: list[str] = field(default_factory=list)


@dataclass
class World:
    alpha: Side
    bravo: Side
    outsider: Any


def _csv(slug: str, places: list[str], base: float) -> str:
    rows = ["place,indicator,period,value"]
    for year in YEARS:
        for index, code in enumerate(places):
            rows.append(f"{code},{slug},{year},{base + 3 * index + (year - YEARS[0])}")
    return "\n".join(rows) + "\n"


def _definition(key: str, marker: str, slug: str) -> dict[str, Any]:
    return {
        "id": key,
        "name": f"{marker.capitalize()} healthy housing",
        "headlines": [
            {
                "key": f"{marker}-overall",
                "label": f"{marker.capitalize()} healthy housing overall",
                "domains": [
                    {
                        "key": f"{marker}-warm-homes",
                        "label": f"{marker.capitalize()} warm homes",
                        "slots": [
                            {
                                "key": f"{marker}-damp-slot",
                                "label": f"{marker.capitalize()} homes with damp",
                                "indicator": slug,
                                "polarity": "lower_better",
                            }
                        ],
                    }
                ],
            }
        ],
    }


def build_side(
    *,
    marker: str,
    slug: str,
    name: str,
    organisation_name: str,
    places: list[str],
    folder: Path,
    base: float,
) -> Side:
    users = get_user_model().objects
    partnership = Partnership.objects.create(
        slug=slug, name=name, description=f"{marker} partnership"
    )
    partnership.places.set(Place.objects.filter(code__in=places))
    organisation = Organisation.objects.create(name=organisation_name, kind=OrganisationKind.VCSE)
    partnership.organisations.add(organisation)
    admin = users.create_user(f"{marker}-admin", f"{marker}-admin@example.org", PASSWORD)
    viewer = users.create_user(f"{marker}-viewer", f"{marker}-viewer@example.org", PASSWORD)
    Membership.objects.create(
        partnership=partnership, user=admin, role=Role.ADMIN, organisation=organisation
    )
    Membership.objects.create(partnership=partnership, user=viewer, role=Role.VIEWER)

    # The partnership's own indicator, then a file of it through the real pipeline into
    # the indicator's dataset (scoring reads an indicator's values from its own dataset).
    definitions = Dataset.objects.create(
        slug=f"{slug}-local",
        name=f"{marker.capitalize()} local data",
        is_local=True,
        partnership=partnership,
    )
    indicator = Indicator.objects.create(
        slug=f"{marker}-damp-homes",
        dataset=definitions,
        name=f"{marker.capitalize()} homes with damp",
        source_key=f"{marker}-damp-homes",
        unit="%",
        measure="Percentage",
        polarity="lower_better",
        min_value=0,
        max_value=100,
    )
    path = folder / f"{marker}-upload.csv"
    path.write_text(_csv(indicator.slug, places, base), encoding="utf-8")
    options = {"dataset_slug": definitions.slug, "dataset_name": definitions.name}
    report = import_source(
        LocalFileSource(
            path,
            original_name=path.name,
            dataset_slug=options["dataset_slug"],
            dataset_name=options["dataset_name"],
            partnership_id=partnership.pk,
        )
    )
    assert report.status == "done", report.message
    assert report.release_id is not None
    release = DatasetRelease.objects.select_related("dataset").get(pk=report.release_id)
    job = ImportJob.objects.create(
        kind="local",
        partnership=partnership,
        created_by=admin,
        original_name=path.name,
        options=options,
        status=ImportStatus.DONE,
        dataset=release.dataset,
        release=release,
        report={"status": "done", "dataset": release.dataset.slug, "rejected": []},
    )

    key = f"{marker}-healthy-housing"
    version, _ = framework_sync_definition(_definition(key, marker, indicator.slug))
    Framework.objects.filter(pk=version.framework_id).update(
        partnership=partnership, created_by=admin
    )
    run = scoring_run_execute(
        run_id=scoring_run_create(version=version, selection=SELECTION).pk, robustness=False
    )
    assert run.status == "done" and run.periods, run.error

    outcome = Outcome.objects.create(
        partnership=partnership,
        title=f"{marker.capitalize()} warm homes outcome",
        lead_organisation=organisation,
        framework_id=version.framework_id,
        node_keys=[f"{marker}-warm-homes"],
    )
    outcome.indicators.add(indicator)
    audit = audit_record(actor=admin, partnership_id=partnership.pk, action="create", obj=outcome)
    invitation = Invitation.objects.create(
        partnership=partnership,
        email=f"{marker}-invitee@example.org",
        role=Role.VIEWER,
        invited_by=admin,
    )
    return Side(
        marker=marker,
        partnership=partnership,
        admin=admin,
        viewer=viewer,
        organisation=organisation,
        dataset=release.dataset,
        indicator=indicator,
        release=release,
        framework=Framework.objects.get(pk=version.framework_id),
        run=run,
        outcome=outcome,
        job=job,
        audit=audit,
        invitation=invitation,
        places=places,
    )


@pytest.fixture
def world(db, tmp_path) -> World:
    alpha = build_side(
        marker="alpha",
        slug="norfolk-healthy-homes",
        name="Norfolk Healthy Homes Partnership",
        organisation_name="Breckland housing trust",
        places=[NORFOLK, *NORFOLK_DISTRICTS],
        folder=tmp_path,
        base=10.0,
    )
    bravo = build_side(
        marker="bravo",
        slug="greater-norwich",
        name="Greater Norwich Partnership",
        organisation_name="Broadland housing trust",
        places=GREATER_NORWICH,
        folder=tmp_path,
        base=20.0,
    )
    outsider = get_user_model().objects.create_user("outsider", "outsider@example.org", PASSWORD)
    return World(alpha=alpha, bravo=bravo, outsider=outsider)

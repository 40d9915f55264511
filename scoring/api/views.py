"""Scores API: thin views over scoring.selectors; every answer names the run and method."""

import math
from typing import Any

import pandas as pd
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scoring import selectors
from scoring.api.serializers import (
    DriverChangeSerializer,
    DriverSerializer,
    FlagSerializer,
    ScoreSerializer,
    ScoringRunSerializer,
)
from scoring.engine import compute_driver_changes
from scoring.models import Score, ScoreDriver, ScoreFlag, ScoringRun

FRAMEWORK = OpenApiParameter("framework", str, description="Framework key (default tpi-2024)")
PLACE = OpenApiParameter("place", str, description="GSS code(s), comma-separated")
YEAR = OpenApiParameter("year", int, description="Scoring year")
NODE = OpenApiParameter("node", str, description="Node key, e.g. local-conditions")


def _run(request: Request) -> ScoringRun:
    """The current run of the named framework; unknown, private and unscored alike are 404."""
    framework = request.query_params.get("framework", selectors.DEFAULT_FRAMEWORK)
    run = selectors.current_run(framework=framework, user=request.user)
    if run is None:
        raise Http404(f"No scores yet for framework {framework!r}.")
    return run


def _year(request: Request, name: str = "year") -> int | None:
    text = request.query_params.get(name, "")
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError({name: f"{name} must be a year such as 2024."})
    return int(text)


def _places(request: Request) -> list[str]:
    return [
        c.strip().upper() for c in request.query_params.get("place", "").split(",") if c.strip()
    ]


class ScoreListView(generics.ListAPIView):
    """Scores of the current run: by place, node, level, year and reference set."""

    serializer_class = ScoreSerializer
    queryset = Score.objects.none()

    @extend_schema(
        parameters=[
            FRAMEWORK,
            PLACE,
            YEAR,
            NODE,
            OpenApiParameter("level", str, description="headline, domain or subdomain"),
            OpenApiParameter("reference_set", str, description="E-upper_tier or E-lower_tier"),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Score.objects.none()
        self.run = _run(self.request)
        params = self.request.query_params
        return selectors.score_list(
            run=self.run,
            places=_places(self.request),
            node=params.get("node", ""),
            level=params.get("level", ""),
            year=_year(self.request),
            reference_set=params.get("reference_set", ""),
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "run"):
            context["run"] = self.run
            context["nodes"] = selectors.node_labels(self.run)
        return context


class RankingView(ScoreListView):
    """One node's ranking within a reference set, filterable like the map."""

    @extend_schema(
        parameters=[
            FRAMEWORK,
            NODE,
            YEAR,
            OpenApiParameter(
                "reference_set", str, description="E-upper_tier (default) or E-lower_tier"
            ),
            OpenApiParameter("region", str, description="Region GSS code"),
            OpenApiParameter("rural_urban_class", str),
            OpenApiParameter("cluster", str, description="ONS cluster letter"),
            OpenApiParameter("cluster_kind", str, description="global, economic or demographic"),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Score.objects.none()
        self.run = _run(self.request)
        params = self.request.query_params
        year = _year(self.request) or max(self.run.periods or [0])
        kind = params.get("cluster_kind", "global")
        if kind not in {"global", "economic", "demographic"}:
            raise ValidationError({"cluster_kind": "global, economic or demographic"})
        return selectors.ranking(
            run=self.run,
            node=params.get("node", "local-conditions"),
            year=year,
            reference_set=params.get("reference_set", "E-upper_tier"),
            region=params.get("region", ""),
            rural_urban_class=params.get("rural_urban_class", ""),
            cluster=params.get("cluster", ""),
            cluster_kind=kind,
        )


class DriverListView(generics.ListAPIView):
    """What drives a place's scores: each indicator's contribution to each node above it."""

    serializer_class = DriverSerializer
    queryset = ScoreDriver.objects.none()

    @extend_schema(parameters=[FRAMEWORK, PLACE, YEAR, NODE])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScoreDriver.objects.none()
        places = _places(self.request)
        if len(places) != 1:
            raise ValidationError({"place": "Give exactly one GSS code."})
        return selectors.driver_list(
            run=_run(self.request),
            place=places[0],
            year=_year(self.request),
            node=self.request.query_params.get("node", ""),
        )


class FlagListView(generics.ListAPIView):
    """Hidden weaknesses: weak indicators masked by an average above them."""

    serializer_class = FlagSerializer
    queryset = ScoreFlag.objects.none()

    @extend_schema(parameters=[FRAMEWORK, PLACE, YEAR])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScoreFlag.objects.none()
        places = _places(self.request)
        if not places:
            raise ValidationError({"place": "Give one or more GSS codes."})
        return selectors.flag_list(run=_run(self.request), places=places, year=_year(self.request))


class DriverChangeView(APIView):
    """Each indicator's contribution to the change of a node's score between two years."""

    @extend_schema(
        parameters=[
            FRAMEWORK,
            PLACE,
            NODE,
            OpenApiParameter("from", int, required=True),
            OpenApiParameter("to", int, required=True),
        ],
        responses=DriverChangeSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        places = _places(request)
        start, end = _year(request, "from"), _year(request, "to")
        if len(places) != 1 or start is None or end is None:
            raise ValidationError("Give one place and the years 'from' and 'to'.")
        run = _run(request)
        rows = selectors.driver_list(
            run=run, place=places[0], node=request.query_params.get("node", "")
        )
        frame = pd.DataFrame(
            list(
                rows.values(
                    "place_id",
                    "reference_set",
                    "year",
                    "node_key",
                    "level",
                    "slot_key",
                    "indicator_key",
                    "value",
                    "z",
                    "weight",
                    "cap_factor",
                    "contribution",
                    "contribution_uncapped",
                    "score",
                    "score_uncapped",
                )
            )
        )
        if frame.empty:
            return Response([])
        frame = frame.rename(
            columns={
                "place_id": "place",
                "year": "period",
                "node_key": "node",
                "slot_key": "slot",
                "indicator_key": "indicator",
            }
        )
        changes = compute_driver_changes(frame, period_from=start, period_to=end)
        records: list[dict[str, Any]] = [
            {
                str(k): (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in row.items()
            }
            for row in changes.to_dict("records")
        ]
        return Response(DriverChangeSerializer(records, many=True).data)


class ScoringRunListView(generics.ListAPIView):
    """Scoring runs of the frameworks you may see: framework version, method, releases, timings."""

    serializer_class = ScoringRunSerializer

    def get_queryset(self):
        return selectors.run_list(user=self.request.user)


class ScoringRunDetailView(generics.RetrieveAPIView):
    """One run; a run of a framework you may not see is not found."""

    serializer_class = ScoringRunSerializer

    def get_queryset(self):
        return selectors.run_list(user=self.request.user)

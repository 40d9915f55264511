from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from indicators import selectors
from indicators.api.serializers import (
    DatasetSerializer,
    ImportJobCreateSerializer,
    ImportJobDetailSerializer,
    ImportJobSerializer,
    IndicatorSerializer,
    ObservationSerializer,
    ReleaseSerializer,
)
from indicators.jobs import import_job_create
from indicators.models import Dataset, DatasetRelease, ImportJob, Indicator, Observation, Polarity
from indicators.views import indicator_import_options, upload_indicator
from places.models import Level
from tpi_site.pagination import BoundedLimitOffsetPagination


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class CharInFilter(filters.BaseInFilter, filters.CharFilter):
    pass


class IndicatorFilter(filters.FilterSet):
    q = filters.CharFilter(label="Name, slug, measure or description contains")
    dataset = filters.CharFilter(label="Dataset slug")
    polarity = filters.ChoiceFilter(choices=Polarity.choices)
    level = filters.ChoiceFilter(
        choices=[c for c in Level.choices if c[0] != Level.SMALL_AREA],
        label="Published for this geography level",
    )

    class Meta:
        model = Indicator
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
        data = self.form.cleaned_data
        return selectors.indicator_list(
            user=self.request.user if self.request else None,
            query=data.get("q") or "",
            dataset=data.get("dataset") or "",
            polarity=data.get("polarity") or "",
            level=data.get("level") or "",
        )


class ReleaseFilter(filters.FilterSet):
    dataset = filters.CharFilter(label="Dataset slug")
    current = filters.BooleanFilter(label="Only the current release of each dataset")

    class Meta:
        model = DatasetRelease
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[DatasetRelease]) -> QuerySet[DatasetRelease]:
        data = self.form.cleaned_data
        return selectors.release_list(
            user=self.request.user if self.request else None,
            dataset=data.get("dataset") or "",
            current_only=bool(data.get("current")),
        )


class ObservationFilter(filters.FilterSet):
    indicator = filters.CharFilter(label="Indicator slug")
    place = CharInFilter(label="GSS code, or several separated by commas")
    period_from = filters.DateFilter(label="Periods ending on or after this date")
    period_to = filters.DateFilter(label="Periods starting on or before this date")
    release = IntegerFilter(label="Dataset release id (includes superseded releases)")
    dataset = filters.CharFilter(label="Dataset slug")
    current = filters.BooleanFilter(
        label="Only current releases (default true, or false when a release is given)"
    )

    class Meta:
        model = Observation
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Observation]) -> QuerySet[Observation]:
        data = self.form.cleaned_data
        release = data.get("release")
        return selectors.observation_list(
            user=self.request.user if self.request else None,
            base=queryset,
            indicator=data.get("indicator") or "",
            places=data.get("place") or [],
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
            release=int(release) if release is not None else None,
            dataset=data.get("dataset") or "",
            current_only=data.get("current"),
        )


class ObservationPagination(BoundedLimitOffsetPagination):
    default_limit = 100
    max_limit = 2000


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet[Indicator]):
    """The indicator catalogue: what each measure is, its unit, direction and source."""

    lookup_field = "slug"
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Indicator]:
        return selectors.indicator_list(user=self.request.user)


class DatasetViewSet(viewsets.ReadOnlyModelViewSet[Dataset]):
    """Datasets (publications released over time) with their current release."""

    lookup_field = "slug"
    serializer_class = DatasetSerializer
    filterset_fields = ["is_local"]
    ordering_fields = ["slug", "name"]
    ordering = ["slug"]

    def get_queryset(self) -> QuerySet[Dataset]:
        return selectors.dataset_list(user=self.request.user)


class ReleaseViewSet(viewsets.ReadOnlyModelViewSet[DatasetRelease]):
    """Every imported release of every dataset; older ones stay for reproducibility."""

    serializer_class = ReleaseSerializer
    filterset_class = ReleaseFilter
    ordering_fields = ["imported_at", "released_on"]

    def get_queryset(self) -> QuerySet[DatasetRelease]:
        return selectors.release_list(user=self.request.user)


class ObservationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Observation]):
    """Observations with period label, place, indicator and release; current releases by default."""

    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    pagination_class = ObservationPagination
    ordering_fields = ["period_start", "period_end", "value", "place"]

    def get_queryset(self) -> QuerySet[Observation]:
        return selectors.observation_list(user=self.request.user, current_only=False)


@extend_schema_view(
    list=extend_schema(
        description="Import jobs of your partnerships (every job, for staff); others' are absent."
    ),
    retrieve=extend_schema(description="Status, progress and, once finished, the report."),
)
class ImportJobViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ImportJob],
):
    """Import a partnership's file in the documented local format and follow its progress."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[ImportJob]:
        return selectors.import_job_list(user=self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return ImportJobCreateSerializer
        if self.action == "retrieve":
            return ImportJobDetailSerializer
        return ImportJobSerializer

    @extend_schema(
        request=ImportJobCreateSerializer,
        responses={202: ImportJobSerializer},
        description=(
            "Upload a CSV or .xlsx (multipart field `file`) for one local indicator "
            "(`indicator`, its slug) of a partnership where you are an analyst or admin. The "
            "file becomes the next release of that indicator's own dataset and every row must "
            "name that indicator. 404 for an unknown or national indicator or one of a "
            "partnership you do not belong to, 403 below analyst. Define local indicators at "
            "/partnerships/{slug}/indicators/new/. The import runs in the background; follow "
            "it at the returned `url`."
        ),
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ImportJobCreateSerializer(data=request.data)
        slug = str(request.data.get("indicator", "") or "")
        indicator = upload_indicator(request.user, slug) if slug else None  # 404 / 403
        incoming.is_valid(raise_exception=True)  # no indicator given: a 400 saying so
        assert indicator is not None
        job = import_job_create(
            kind="local",
            uploaded_file=incoming.validated_data["file"],
            options=indicator_import_options(indicator),
            user=request.user,
            partnership=indicator.dataset.partnership,
        )
        job = selectors.import_job_get(pk=job.pk)  # the task may have run already (eager)
        data = ImportJobSerializer(job, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

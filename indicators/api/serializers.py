from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.jobs import import_job_progress
from indicators.models import Dataset, DatasetRelease, ImportJob, Indicator, Observation
from indicators.views import upload_problem

REJECTED_IN_API = 500


class ReleaseRefSerializer(serializers.ModelSerializer[DatasetRelease]):
    class Meta:
        model = DatasetRelease
        fields = ["id", "label", "released_on", "imported_at"]


class DatasetSerializer(serializers.ModelSerializer[Dataset]):
    url = serializers.HyperlinkedIdentityField(view_name="api:dataset-detail", lookup_field="slug")
    indicator_count = serializers.IntegerField(read_only=True)
    current_release = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = [
            "slug",
            "url",
            "name",
            "publisher",
            "source_url",
            "licence",
            "description",
            "is_local",
            "indicator_count",
            "current_release",
        ]

    @extend_schema_field(ReleaseRefSerializer(allow_null=True))
    def get_current_release(self, dataset: Dataset) -> dict[str, Any] | None:
        current = getattr(dataset, "current", None)
        if not current:
            return None
        return dict(ReleaseRefSerializer(current[0]).data)


class ReleaseSerializer(serializers.ModelSerializer[DatasetRelease]):
    dataset: serializers.SlugRelatedField[Dataset] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    dataset_name = serializers.CharField(source="dataset.name", read_only=True)

    class Meta:
        model = DatasetRelease
        fields = [
            "id",
            "dataset",
            "dataset_name",
            "label",
            "released_on",
            "is_current",
            "imported_at",
            "row_count",
            "rejected_count",
            "checksum",
            "files",
        ]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:indicator-detail", lookup_field="slug"
    )
    dataset: serializers.SlugRelatedField[Dataset] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    dataset_name = serializers.CharField(source="dataset.name", read_only=True)
    polarity_label = serializers.CharField(source="get_polarity_display", read_only=True)
    geography_levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    page_url = serializers.SerializerMethodField()
    observations_url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "slug",
            "url",
            "page_url",
            "observations_url",
            "name",
            "dataset",
            "dataset_name",
            "description",
            "unit",
            "measure",
            "polarity",
            "polarity_label",
            "source_organisation",
            "source_url",
            "licence",
            "geography_levels",
            "period_type",
            "decimal_places",
            "caveats",
            "release_date",
            "min_value",
            "max_value",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, indicator: Indicator) -> str:
        return self._absolute(reverse("indicators:detail", args=[indicator.slug]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_observations_url(self, indicator: Indicator) -> str:
        query = urlencode({"indicator": indicator.slug})
        return self._absolute(f"{reverse('api:observation-list')}?{query}")


class ObservationSerializer(serializers.ModelSerializer[Observation]):
    indicator = serializers.CharField(source="indicator.slug", read_only=True)
    place = serializers.CharField(source="place_id", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    period_label = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    release = serializers.IntegerField(source="release_id", read_only=True)
    release_label = serializers.CharField(source="release.label", read_only=True)
    release_is_current = serializers.BooleanField(source="release.is_current", read_only=True)
    source_file_name = serializers.CharField(read_only=True)
    dataset = serializers.CharField(source="release.dataset.slug", read_only=True)

    class Meta:
        model = Observation
        fields = [
            "id",
            "indicator",
            "place",
            "place_name",
            "period_start",
            "period_end",
            "period_type",
            "period_label",
            "value",
            "lower_ci",
            "upper_ci",
            "numerator",
            "denominator",
            "status",
            "note",
            "dataset",
            "release",
            "release_label",
            "release_is_current",
            "source_file_name",
            "source_line",
        ]


# --- import jobs ---------------------------------------------------------------------------


class ImportJobCreateSerializer(serializers.Serializer[dict[str, Any]]):
    indicator = serializers.SlugField(
        max_length=160,
        help_text="Slug of the local indicator this file is the next release of (its "
        "partnership must have you as analyst or admin)",
    )
    file = serializers.FileField(
        help_text="CSV or .xlsx with columns place, indicator, period, value "
        "[, lower_ci, upper_ci, numerator, denominator, status, note]; every row names the "
        "chosen indicator"
    )

    def validate_file(self, uploaded: Any) -> Any:
        if problem := upload_problem(uploaded):
            raise serializers.ValidationError(problem)
        return uploaded


class ImportProgressSerializer(serializers.Serializer[dict[str, Any]]):
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)


class RejectedRowSerializer(serializers.Serializer[dict[str, Any]]):
    line = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class ImportReportSerializer(serializers.Serializer[dict[str, Any]]):
    """The import's report; keys are absent when the file could not be read at all."""

    status = serializers.CharField(required=False)
    message = serializers.CharField(required=False, allow_blank=True)
    dataset = serializers.CharField(required=False)
    release_id = serializers.IntegerField(required=False, allow_null=True)
    release_label = serializers.CharField(required=False, allow_blank=True)
    files = serializers.ListField(child=serializers.CharField(), required=False)
    rows_read = serializers.IntegerField(required=False)
    rows_accepted = serializers.IntegerField(required=False)
    rows_rejected = serializers.IntegerField(required=False)
    rejection_reasons = serializers.DictField(child=serializers.IntegerField(), required=False)
    rejected = RejectedRowSerializer(
        many=True,
        required=False,
        help_text=f"The first {REJECTED_IN_API} rejected rows; rejected_csv_url has them all.",
    )
    rejected_truncated = serializers.BooleanField(required=False)
    accepted_by_indicator = serializers.DictField(child=serializers.IntegerField(), required=False)
    places = serializers.IntegerField(required=False)
    first_period = serializers.CharField(required=False, allow_blank=True)
    last_period = serializers.CharField(required=False, allow_blank=True)
    seconds = serializers.FloatField(required=False)


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    url = serializers.HyperlinkedIdentityField(view_name="api:import-job-detail")
    page_url = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    dataset: serializers.SlugRelatedField[Dataset] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    dataset_name = serializers.SerializerMethodField()
    partnership: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    release: serializers.PrimaryKeyRelatedField[DatasetRelease] = (
        serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "page_url",
            "kind",
            "partnership",
            "status",
            "status_label",
            "original_name",
            "dataset",
            "dataset_name",
            "release",
            "progress",
            "rows_accepted",
            "rows_rejected",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, job: ImportJob) -> str:
        return self._absolute(reverse("indicators:import-detail", args=[job.pk]))

    @extend_schema_field(OpenApiTypes.STR)
    def get_dataset_name(self, job: ImportJob) -> str:
        if job.dataset is not None:
            return job.dataset.name
        return str((job.options or {}).get("dataset_name", ""))

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, job: ImportJob) -> dict[str, Any]:
        progress = import_job_progress(job)
        return {key: progress[key] for key in ("rows_done", "rows_total", "percent")}


class ImportJobDetailSerializer(ImportJobSerializer):
    report = serializers.SerializerMethodField()
    rejected_csv_url = serializers.SerializerMethodField()

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "report", "rejected_csv_url"]

    @extend_schema_field(ImportReportSerializer)
    def get_report(self, job: ImportJob) -> dict[str, Any]:
        report = dict(job.report or {})
        rejected = report.get("rejected") or []
        if "rejected" in report:
            report["rejected"] = rejected[:REJECTED_IN_API]
            report["rejected_truncated"] = len(rejected) > REJECTED_IN_API
        return report

    @extend_schema_field(OpenApiTypes.URI)
    def get_rejected_csv_url(self, job: ImportJob) -> str:
        return self._absolute(reverse("indicators:import-rejected-csv", args=[job.pk]))

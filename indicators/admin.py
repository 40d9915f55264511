from django.contrib import admin

from indicators.models import Dataset, DatasetRelease, ImportJob, Indicator, Observation


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "publisher", "is_local")
    list_filter = ("is_local",)
    search_fields = ("slug", "name", "publisher")


@admin.register(DatasetRelease)
class DatasetReleaseAdmin(admin.ModelAdmin):
    list_display = ("dataset", "label", "released_on", "is_current", "row_count", "imported_at")
    list_filter = ("is_current", "dataset")
    search_fields = ("label", "dataset__slug", "checksum")
    list_select_related = ("dataset",)
    readonly_fields = ("checksum", "files", "imported_at", "row_count", "rejected_count")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "dataset", "unit", "polarity")
    list_filter = ("polarity", "dataset")
    search_fields = ("slug", "name", "source_key")
    list_select_related = ("dataset",)
    raw_id_fields = ("dataset",)


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = (
        "indicator",
        "place",
        "period_start",
        "period_end",
        "value",
        "status",
        "release",
        "source_line",
    )
    list_filter = ("status", "period_type", "release__is_current")
    search_fields = ("place__code", "indicator__slug")
    raw_id_fields = ("indicator", "place", "release")
    list_select_related = ("indicator", "place", "release", "release__dataset")
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind",
        "original_name",
        "status",
        "rows_accepted",
        "rows_rejected",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("original_name", "error")
    raw_id_fields = ("dataset", "release", "created_by")
    list_select_related = ("created_by",)
    readonly_fields = ("report", "created_at", "started_at", "finished_at")

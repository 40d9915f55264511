from django.contrib import admin

from scoring.models import Score, ScoreDriver, ScoreFlag, ScoringRun


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "framework_version", "method_id", "status", "is_current", "created_at")
    list_filter = ("status", "is_current", "scope")
    list_select_related = ("framework_version__framework",)
    readonly_fields = ("method_settings", "releases", "inputs_hash", "counts", "timings", "error")


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("place", "node_key", "year", "reference_set", "score", "band", "rank")
    list_filter = ("year", "reference_set")
    search_fields = ("place__code", "node_key")
    raw_id_fields = ("run", "place")
    list_select_related = ("place",)


@admin.register(ScoreDriver)
class ScoreDriverAdmin(admin.ModelAdmin):
    list_display = ("place", "year", "node_key", "slot_key", "contribution")
    raw_id_fields = ("run", "place")
    list_select_related = ("place",)


@admin.register(ScoreFlag)
class ScoreFlagAdmin(admin.ModelAdmin):
    list_display = (
        "place",
        "year",
        "slot_key",
        "hidden_by",
        "bottom_decile",
        "significantly_below",
    )
    raw_id_fields = ("run", "place")
    list_select_related = ("place",)

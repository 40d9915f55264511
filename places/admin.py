from django.contrib import admin

from places.models import Boundary, CodeChange, Place, PlaceName, SimilarArea, SourceLoad


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area_type", "is_upper_tier", "is_lower_tier", "end_year")
    list_filter = ("area_type", "nation", "is_upper_tier", "is_lower_tier", "rural_urban_class")
    search_fields = ("code", "name")
    raw_id_fields = ("country", "region", "combined_authority", "upper_tier", "lower_tier")
    list_select_related = True


@admin.register(CodeChange)
class CodeChangeAdmin(admin.ModelAdmin):
    list_display = ("old_code", "old_name", "new_code", "new_name", "change_type", "year")
    list_filter = ("change_type", "year")
    search_fields = ("old_code", "old_name", "new_code", "new_name")


@admin.register(SimilarArea)
class SimilarAreaAdmin(admin.ModelAdmin):
    list_display = ("place", "kind", "rank", "neighbour")
    list_filter = ("kind",)
    search_fields = ("place__code", "place__name")
    raw_id_fields = ("place", "neighbour")
    list_select_related = ("place", "neighbour")


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ("place", "year", "layer")
    list_filter = ("year", "layer")
    search_fields = ("place__code", "place__name")
    raw_id_fields = ("place",)
    exclude = ("geometry",)
    list_select_related = ("place",)


@admin.register(SourceLoad)
class SourceLoadAdmin(admin.ModelAdmin):
    list_display = ("source", "checksum", "loaded_at")
    readonly_fields = ("source", "checksum", "loaded_at", "summary")


@admin.register(PlaceName)
class PlaceNameAdmin(admin.ModelAdmin):
    list_display = ("name", "place")
    search_fields = ("name", "place__code")
    raw_id_fields = ("place",)
    list_select_related = ("place",)

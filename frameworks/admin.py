from django.contrib import admin

from frameworks.models import Framework, FrameworkNode, FrameworkVersion


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "is_index")
    search_fields = ("key", "name")


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ("framework", "version", "created_at", "checksum")
    list_filter = ("framework",)
    list_select_related = ("framework",)


@admin.register(FrameworkNode)
class FrameworkNodeAdmin(admin.ModelAdmin):
    list_display = ("key", "label", "level", "version", "indicator", "derived_key", "polarity")
    list_filter = ("level", "version__framework")
    search_fields = ("key", "label")
    raw_id_fields = ("indicator", "version")
    list_select_related = ("version__framework", "indicator")

"""Frameworks API shapes: summaries for lists, the tree of one version for details."""

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from frameworks.models import Framework, FrameworkNode, FrameworkVersion
from partnerships.models import Partnership


class FrameworkSummarySerializer(serializers.ModelSerializer[Framework]):
    partnership: "serializers.SlugRelatedField[Partnership]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    latest_version = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = [
            "key",
            "name",
            "description",
            "partnership",
            "is_index",
            "is_published",
            "published_from",
            "latest_version",
            "url",
        ]

    def get_latest_version(self, framework: Framework) -> int | None:
        latest = getattr(framework, "latest_version", None)
        if latest is None and not hasattr(framework, "latest_version"):
            version = framework.versions.order_by("-version").first()
            return version.version if version else None
        return latest

    def get_url(self, framework: Framework) -> str:
        return reverse("api:framework-detail", args=[framework.key])


class FrameworkNodeSerializer(serializers.ModelSerializer[FrameworkNode]):
    indicator = serializers.SerializerMethodField(
        help_text="The indicator filling a slot; null when empty or not visible to you"
    )

    class Meta:
        model = FrameworkNode
        fields = [
            "key",
            "parent_key",
            "level",
            "label",
            "position",
            "description",
            "indicator",
            "derived_key",
            "polarity",
            "weight",
            "transform",
            "stands_in_for",
            "note",
        ]

    def get_indicator(self, node: FrameworkNode) -> str | None:
        if node.indicator_id is None or node.indicator is None:
            return None
        visible: set[int] = self.context.get("visible_indicator_ids", set())
        return node.indicator.slug if node.indicator_id in visible else None


class FrameworkVersionSummarySerializer(serializers.ModelSerializer[FrameworkVersion]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FrameworkVersion
        fields = ["version", "checksum", "created_at", "url"]

    def get_url(self, version: FrameworkVersion) -> str:
        return reverse(
            "api:framework-version", args=[self.context["framework_key"], version.version]
        )


class FrameworkVersionSerializer(serializers.ModelSerializer[FrameworkVersion]):
    """One version's tree; the definition is shown only to the owner's members."""

    framework = serializers.CharField(source="framework.key", read_only=True)
    definition = serializers.SerializerMethodField()
    nodes = serializers.SerializerMethodField()

    class Meta:
        model = FrameworkVersion
        fields = ["framework", "version", "checksum", "created_at", "definition", "nodes"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_definition(self, version: FrameworkVersion) -> dict[str, Any] | None:
        return version.definition if self.context.get("show_definition") else None

    @extend_schema_field(FrameworkNodeSerializer(many=True))
    def get_nodes(self, version: FrameworkVersion) -> list[dict[str, Any]]:
        return list(
            FrameworkNodeSerializer(version.nodes.all(), many=True, context=self.context).data
        )


class FrameworkDetailSerializer(FrameworkSummarySerializer):
    latest = serializers.SerializerMethodField(help_text="The latest version's tree")
    versions = serializers.SerializerMethodField()

    class Meta(FrameworkSummarySerializer.Meta):
        fields = [*FrameworkSummarySerializer.Meta.fields, "source", "latest", "versions"]

    @extend_schema_field(FrameworkVersionSerializer(allow_null=True))
    def get_latest(self, framework: Framework) -> dict[str, Any] | None:
        version = self.context.get("latest")
        if version is None:
            return None
        return dict(FrameworkVersionSerializer(version, context=self.context).data)

    @extend_schema_field(FrameworkVersionSummarySerializer(many=True))
    def get_versions(self, framework: Framework) -> list[dict[str, Any]]:
        return list(
            FrameworkVersionSummarySerializer(
                framework.versions.order_by("-version"),
                many=True,
                context={**self.context, "framework_key": framework.key},
            ).data
        )


class FrameworkCreateSerializer(serializers.Serializer[Any]):
    partnership = serializers.SlugField(max_length=80, help_text="Slug of your partnership")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DefinitionSerializer(serializers.Serializer[Any]):
    definition = serializers.DictField(
        help_text="The framework definition: headlines → domains → (subdomains →) slots"
    )


class DefinitionProblemsSerializer(serializers.Serializer[Any]):
    problems = serializers.ListField(child=serializers.CharField())


class PublishSerializer(serializers.Serializer[Any]):
    is_published = serializers.BooleanField()
    published_from = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Visible from this date"
    )


class ScoreStartedSerializer(serializers.Serializer[Any]):
    run = serializers.IntegerField(help_text="Scoring run id")
    status = serializers.CharField()
    url = serializers.CharField(help_text="Poll this for the run's progress")

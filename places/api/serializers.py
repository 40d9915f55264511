from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from places.models import CodeChange, Place


class PlaceRefSerializer(serializers.ModelSerializer[Place]):
    class Meta:
        model = Place
        fields = ["code", "name"]


class PlaceListSerializer(serializers.ModelSerializer[Place]):
    region = PlaceRefSerializer(read_only=True)
    upper_tier = PlaceRefSerializer(read_only=True)
    levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:place-detail", lookup_field="code")

    class Meta:
        model = Place
        fields = [
            "code",
            "name",
            "url",
            "area_type",
            "levels",
            "nation",
            "start_year",
            "end_year",
            "region",
            "upper_tier",
            "rural_urban_class",
            "population",
            "population_year",
        ]


class CodeChangeSerializer(serializers.ModelSerializer[CodeChange]):
    class Meta:
        model = CodeChange
        fields = ["old_code", "old_name", "new_code", "new_name", "change_type", "year"]


class SimilarAreasSerializer(serializers.Serializer[dict[str, list[Place]]]):
    global_ = PlaceRefSerializer(many=True, source="global")
    economic = PlaceRefSerializer(many=True)
    demographic = PlaceRefSerializer(many=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["global"] = data.pop("global_")
        return data


class PlaceDetailSerializer(PlaceListSerializer):
    country = PlaceRefSerializer(read_only=True)
    combined_authority = PlaceRefSerializer(read_only=True)
    children = serializers.SerializerMethodField()
    similar_areas = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()
    boundary_url = serializers.HyperlinkedIdentityField(
        view_name="api:place-boundary", lookup_field="code"
    )

    class Meta(PlaceListSerializer.Meta):
        fields = [
            *PlaceListSerializer.Meta.fields,
            "country",
            "combined_authority",
            "is_upper_tier",
            "is_lower_tier",
            "is_core_city",
            "share_highly_rural",
            "share_rural",
            "share_urban",
            "cluster_global",
            "cluster_economic",
            "cluster_demographic",
            "area_km2",
            "latitude",
            "longitude",
            "children",
            "similar_areas",
            "successors",
            "boundary_url",
        ]

    @extend_schema_field(PlaceRefSerializer(many=True))
    def get_children(self, place: Place) -> list[dict[str, str]]:
        children = self.context["hierarchy"].children
        return list(PlaceRefSerializer(children, many=True).data)

    @extend_schema_field(SimilarAreasSerializer)
    def get_similar_areas(self, place: Place) -> dict[str, list[dict[str, str]]]:
        return SimilarAreasSerializer(self.context["similar"]).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_successors(self, place: Place) -> list[str]:
        return list(self.context["successors"])

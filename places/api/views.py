from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from places import selectors
from places.api.filters import PlaceFilter
from places.api.serializers import (
    CodeChangeSerializer,
    PlaceDetailSerializer,
    PlaceListSerializer,
)
from places.models import AreaType, CodeChange, Place


class PlaceViewSet(viewsets.ReadOnlyModelViewSet[Place]):
    """ONS places: countries, regions, combined authorities and councils at both tiers."""

    lookup_field = "code"
    filterset_class = PlaceFilter
    ordering_fields = ["code", "name", "population"]
    ordering = ["code"]

    def get_queryset(self):
        return (
            Place.objects.exclude(area_type=AreaType.LSOA)
            .select_related("region", "upper_tier", "country", "combined_authority")
            .order_by("code")
        )

    def get_serializer_class(self):
        return PlaceDetailSerializer if self.action == "retrieve" else PlaceListSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        try:
            place = selectors.place_get(code=kwargs["code"])
        except Place.DoesNotExist:
            raise Http404 from None
        context = {
            **self.get_serializer_context(),
            "hierarchy": selectors.place_hierarchy(place=place),
            "similar": selectors.place_similar_areas(place=place),
            "successors": selectors.code_successors(code=place.code) if place.end_year else [],
        }
        return Response(PlaceDetailSerializer(place, context=context).data)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("year", int, description="Boundary year (2019 or 2024)")],
        description="The place's outline as a GeoJSON Feature (WGS84).",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def boundary(self, request: Request, code: str | None = None) -> Response:
        try:
            place = selectors.place_get(code=code or "")
        except Place.DoesNotExist:
            raise Http404 from None
        year = request.query_params.get("year")
        boundary = selectors.place_boundary(
            place=place, year=int(year) if year and year.isdigit() else None
        )
        if boundary is None:
            raise Http404("No boundary for this place.")
        return Response(
            {
                "type": "Feature",
                "id": place.code,
                "properties": {"areacd": place.code, "areanm": place.name, "year": boundary.year},
                "geometry": boundary.geometry,
            }
        )


class CodeChangeViewSet(viewsets.ReadOnlyModelViewSet[CodeChange]):
    """The ONS code-change table: which retired codes became which new ones."""

    queryset = CodeChange.objects.all()
    serializer_class = CodeChangeSerializer
    filterset_fields = ["old_code", "new_code", "change_type", "year"]
    ordering_fields = ["year", "old_code"]

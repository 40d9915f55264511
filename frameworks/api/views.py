"""Frameworks API: the index and partnerships' bespoke frameworks.

Reads go through ``Framework.objects.visible_to`` so a private framework is "not found"
to outsiders, with the same answer as one that does not exist; writes check the role with
``partnerships.visibility.require_role`` and call the services in ``frameworks.bespoke``.
"""

from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from frameworks.api.serializers import (
    DefinitionProblemsSerializer,
    DefinitionSerializer,
    FrameworkCreateSerializer,
    FrameworkDetailSerializer,
    FrameworkSummarySerializer,
    FrameworkVersionSerializer,
    PublishSerializer,
    ScoreStartedSerializer,
)
from frameworks.bespoke import (
    BespokeDefinitionError,
    bespoke_definition_problems,
    bespoke_framework_create,
    bespoke_framework_publish,
    bespoke_framework_save,
    bespoke_framework_score,
)
from frameworks.models import Framework, FrameworkVersion
from indicators.models import Indicator
from partnerships.models import Partnership, Role
from partnerships.visibility import member_partnership_ids, require_role, visible_q

NOT_FOUND = OpenApiResponse(description="Not found (or not visible to you)")
FORBIDDEN = OpenApiResponse(description="Not signed in, or your role does not allow this")


def _visible_frameworks(user: Any) -> QuerySet[Framework]:
    return Framework.objects.visible_to(user).select_related("partnership")


def _framework(user: Any, key: str) -> Framework:
    return get_object_or_404(_visible_frameworks(user), key=key)


def _version_context(user: Any, framework: Framework, version: FrameworkVersion) -> dict:
    """What this person may see of one version: indicators they can see, the definition
    when they belong to the owner (or it is the index)."""
    indicator_ids = {
        pk for pk in version.nodes.values_list("indicator_id", flat=True) if pk is not None
    }
    visible = set(
        Indicator.objects.filter(visible_q(user, "dataset__"), pk__in=indicator_ids).values_list(
            "pk", flat=True
        )
    )
    owner = framework.partnership_id
    return {
        "visible_indicator_ids": visible,
        "show_definition": owner is None or owner in member_partnership_ids(user),
    }


def _with_nodes(versions: QuerySet[FrameworkVersion]) -> QuerySet[FrameworkVersion]:
    return versions.select_related("framework").prefetch_related("nodes__indicator")


def _detail(user: Any, framework: Framework) -> dict[str, Any]:
    latest = _with_nodes(framework.versions.order_by("-version")).first()
    context: dict[str, Any] = {"latest": latest}
    if latest is not None:
        context.update(_version_context(user, framework, latest))
    return dict(FrameworkDetailSerializer(framework, context=context).data)


class FrameworkListView(generics.ListCreateAPIView):
    """Frameworks you can see: the index, your partnerships' own and published ones."""

    serializer_class = FrameworkSummarySerializer

    def get_queryset(self) -> QuerySet[Framework]:
        queryset = _visible_frameworks(self.request.user).annotate(
            latest_version=Max("versions__version")
        )
        slug = self.request.query_params.get("partnership", "")
        if slug:
            queryset = queryset.filter(partnership__slug=slug)
        return queryset.order_by("key")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "partnership", str, description="Only this partnership's frameworks (slug)"
            )
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a bespoke framework",
        description="An analyst of the partnership creates an empty framework it owns.",
        request=FrameworkCreateSerializer,
        responses={
            201: FrameworkDetailSerializer,
            400: DefinitionProblemsSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = FrameworkCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        partnership = Partnership.objects.filter(slug=data["partnership"]).first()
        if partnership is None:
            raise Http404("Not found.")
        require_role(request.user, partnership.pk, Role.ANALYST)
        try:
            framework = bespoke_framework_create(
                partnership=partnership,
                name=data["name"],
                description=data.get("description", ""),
                actor=request.user,
            )
        except BespokeDefinitionError as error:
            return _problems(error.problems)
        return Response(_detail(request.user, framework), status=status.HTTP_201_CREATED)


class FrameworkDetailView(APIView):
    @extend_schema(
        summary="A framework with its latest tree and its versions",
        responses={200: FrameworkDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(_detail(request.user, _framework(request.user, key)))


class FrameworkVersionView(APIView):
    @extend_schema(
        summary="One past (or the latest) version's tree",
        responses={200: FrameworkVersionSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, key: str, version: int) -> Response:
        framework = _framework(request.user, key)
        found = get_object_or_404(_with_nodes(framework.versions.all()), version=version)
        context = _version_context(request.user, framework, found)
        return Response(FrameworkVersionSerializer(found, context=context).data)


def _problems(problems: list[str]) -> Response:
    return Response({"problems": problems}, status=status.HTTP_400_BAD_REQUEST)


def _writable(request: Request, key: str, role: str) -> Framework:
    """The framework when the caller's role allows ``role``: 404 to outsiders, 403 below."""
    framework = _framework(request.user, key)
    require_role(request.user, framework.partnership_id, role)
    return framework


class FrameworkDefinitionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Save a definition",
        description=(
            "An analyst saves the whole definition. A changed definition makes a new version "
            "(201); the same one changes nothing (200). Every problem found is listed (400)."
        ),
        request=DefinitionSerializer,
        responses={
            201: FrameworkVersionSerializer,
            200: FrameworkVersionSerializer,
            400: DefinitionProblemsSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def put(self, request: Request, key: str) -> Response:
        framework = _writable(request, key, Role.ANALYST)
        payload = DefinitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        definition = payload.validated_data["definition"]
        assert framework.partnership is not None  # require_role refuses the baseline
        problems = bespoke_definition_problems(definition, partnership=framework.partnership)
        if problems:
            return _problems(problems)
        try:
            version, created = bespoke_framework_save(
                framework=framework, definition=definition, actor=request.user
            )
        except BespokeDefinitionError as error:
            return _problems(error.problems)
        found = _with_nodes(FrameworkVersion.objects.filter(pk=version.pk)).get()
        context = _version_context(request.user, framework, found)
        return Response(
            FrameworkVersionSerializer(found, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class FrameworkPublishView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Publish or unpublish",
        description="A partnership admin makes the framework visible to everyone (from a date).",
        request=PublishSerializer,
        responses={200: FrameworkDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, key: str) -> Response:
        framework = _writable(request, key, Role.ADMIN)
        payload = PublishSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bespoke_framework_publish(
            framework=framework,
            is_published=payload.validated_data["is_published"],
            published_from=payload.validated_data.get("published_from"),
            actor=request.user,
        )
        framework.refresh_from_db()
        return Response(_detail(request.user, framework))


class FrameworkScoreView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Score the latest version",
        description="An analyst starts a scoring run; poll the returned URL for its progress.",
        request=None,
        responses={
            202: ScoreStartedSerializer,
            400: DefinitionProblemsSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, key: str) -> Response:
        framework = _writable(request, key, Role.ANALYST)
        try:
            run = bespoke_framework_score(framework=framework, actor=request.user)
        except BespokeDefinitionError as error:
            return _problems(error.problems)
        run.refresh_from_db(fields=["status"])  # an eager worker may have run it already
        return Response(
            {
                "run": run.pk,
                "status": run.status,
                "url": reverse("api:scoring-run-detail", args=[run.pk]),
            },
            status=status.HTTP_202_ACCEPTED,
        )

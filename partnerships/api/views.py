"""The partnership API: thin views over ``partnerships.selectors`` and ``services``.

Every partnership-scoped view first resolves the partnership through
``selectors.partnership_get_for``: outsiders get 404 (the same as an unknown slug),
members whose role is too low get 403.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from partnerships import selectors, services
from partnerships.api.serializers import (
    AuditEventSerializer,
    InvitationSerializer,
    InviteSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    OrganisationSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    PartnershipDetailSerializer,
    PartnershipListSerializer,
    PartnershipUpdateSerializer,
    PublicationSerializer,
)
from partnerships.models import (
    AuditEvent,
    Membership,
    Organisation,
    Outcome,
    Partnership,
    Role,
)


def _call(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a service, turning its refusal into a 400 with the same messages."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise serializers.ValidationError(detail) from None


class PartnershipScoped:
    """Finds the partnership named in the URL, checking the person's role first."""

    def partnership_for(self: Any, role: str = Role.VIEWER) -> tuple[Partnership, Membership]:
        return selectors.partnership_get_for(
            self.request.user, self.kwargs["partnership_slug"], role
        )

    def fake(self) -> bool:
        """drf-spectacular builds views without a request to read the schema."""
        return bool(getattr(self, "swagger_fake_view", False))


@extend_schema_view(
    list=extend_schema(summary="The partnerships I belong to, with my role and counts"),
    retrieve=extend_schema(summary="A partnership's places, organisations and members"),
    partial_update=extend_schema(
        summary="Rename or re-describe a partnership (admin)",
        request=PartnershipUpdateSerializer,
        responses=PartnershipDetailSerializer,
    ),
)
class PartnershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Partnership],
):
    permission_classes = [IsAuthenticated]
    queryset = Partnership.objects.none()
    lookup_field = "slug"
    filter_backends: list[Any] = []
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Partnership]:
        if getattr(self, "swagger_fake_view", False):
            return Partnership.objects.none()
        return selectors.partnership_list_for(self.request.user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Partnership]]:
        if self.action == "list":
            return PartnershipListSerializer
        return PartnershipDetailSerializer

    def _detail(self, role: str = Role.VIEWER) -> Response:
        partnership, membership = selectors.partnership_get_for(
            self.request.user, self.kwargs["slug"], role
        )
        partnership = selectors.partnership_detail(partnership)
        context = {
            **self.get_serializer_context(),
            "membership": membership,
            "members": selectors.membership_list(partnership),
        }
        return Response(PartnershipDetailSerializer(partnership, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail()

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partnership, _ = selectors.partnership_get_for(request.user, kwargs["slug"], Role.ADMIN)
        data = PartnershipUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(
            services.partnership_update,
            actor=request.user,
            partnership=partnership,
            **data.validated_data,
        )
        return self._detail()


@extend_schema_view(
    list=extend_schema(summary="Members of a partnership"),
    retrieve=extend_schema(summary="One member"),
    create=extend_schema(
        summary="Invite someone by e-mail (admin)",
        request=InviteSerializer,
        responses={201: InvitationSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a member's role or organisation (admin)",
        request=MemberUpdateSerializer,
        responses=MemberSerializer,
    ),
    destroy=extend_schema(summary="Remove a member (admin); the last admin cannot be removed"),
)
class MemberViewSet(
    PartnershipScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Membership],
):
    permission_classes = [IsAuthenticated]
    queryset = Membership.objects.none()
    serializer_class = MemberSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Membership]:
        if self.fake():
            return Membership.objects.none()
        partnership, _ = self.partnership_for()
        return selectors.membership_list(partnership)

    def _target(self, role: str) -> Membership:
        partnership, _ = self.partnership_for(role)
        return selectors.membership_get(partnership, int(self.kwargs["pk"]))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partnership, _ = self.partnership_for(Role.ADMIN)
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = _call(
            services.member_invite,
            actor=request.user,
            partnership=partnership,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            organisation_id=data.validated_data.get("organisation"),
            request=request._request,
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self._target(Role.ADMIN)
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = _call(
            services.membership_change_role,
            actor=request.user,
            membership=target,
            role=data.validated_data.get("role"),
            organisation_id=data.validated_data.get("organisation"),
            set_organisation="organisation" in data.validated_data,
        )
        membership = selectors.membership_get(target.partnership, membership.pk)
        return Response(MemberSerializer(membership).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self._target(Role.ADMIN)
        _call(services.membership_remove, actor=request.user, membership=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="A partnership's outcomes"),
    retrieve=extend_schema(summary="One outcome"),
    create=extend_schema(
        summary="Add an outcome (analyst or admin)",
        request=OutcomeInputSerializer,
        responses={201: OutcomeSerializer},
    ),
    update=extend_schema(
        summary="Replace an outcome (analyst or admin)",
        request=OutcomeInputSerializer,
        responses=OutcomeSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of an outcome's fields (analyst or admin)",
        request=OutcomeInputSerializer,
        responses=OutcomeSerializer,
    ),
    destroy=extend_schema(summary="Delete an outcome (analyst or admin)"),
)
class OutcomeViewSet(PartnershipScoped, viewsets.ModelViewSet[Outcome]):
    permission_classes = [IsAuthenticated]
    queryset = Outcome.objects.none()
    serializer_class = OutcomeSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Outcome]:
        if self.fake():
            return Outcome.objects.none()
        partnership, _ = self.partnership_for()
        return selectors.outcome_list(partnership, self.request.user)

    def _target(self, role: str) -> Outcome:
        partnership, _ = self.partnership_for(role)
        return selectors.outcome_get(partnership, self.request.user, int(self.kwargs["pk"]))

    def _read(self, outcome: Outcome) -> dict[str, Any]:
        partnership, _ = self.partnership_for()
        fresh = selectors.outcome_get(partnership, self.request.user, outcome.pk)
        return dict(OutcomeSerializer(fresh).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partnership, _ = self.partnership_for(Role.ANALYST)
        data = OutcomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = _call(
            services.outcome_create,
            actor=request.user,
            partnership=partnership,
            **data.validated_data,
        )
        return Response(self._read(outcome), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        target = self._target(Role.ANALYST)
        data = OutcomeInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = (
            {k: v for k, v in data.validated_data.items() if k in request.data}
            if partial
            else data.validated_data
        )
        outcome = _call(services.outcome_update, actor=request.user, outcome=target, **fields)
        return Response(self._read(outcome))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self._target(Role.ANALYST)
        _call(services.outcome_delete, actor=request.user, outcome=target)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Publish or withdraw an outcome (admin)",
        request=PublicationSerializer,
        responses=OutcomeSerializer,
    )
    @action(detail=True, methods=["post"])
    def publication(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self._target(Role.ADMIN)
        data = PublicationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = _call(
            services.outcome_publish,
            actor=request.user,
            outcome=target,
            is_published=data.validated_data["is_published"],
            published_from=data.validated_data.get("published_from"),
        )
        return Response(self._read(outcome))


@extend_schema_view(list=extend_schema(summary="A partnership's audit log (analyst or admin)"))
class AuditEventViewSet(
    PartnershipScoped, mixins.ListModelMixin, viewsets.GenericViewSet[AuditEvent]
):
    permission_classes = [IsAuthenticated]
    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if self.fake():
            return AuditEvent.objects.none()
        partnership, _ = self.partnership_for(Role.ANALYST)
        return selectors.audit_events(partnership)


@extend_schema_view(
    list=extend_schema(summary="Organisations of the partnerships I belong to"),
    retrieve=extend_schema(summary="One organisation of a partnership I belong to"),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    permission_classes = [IsAuthenticated]
    queryset = Organisation.objects.none()
    serializer_class = OrganisationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Organisation]:
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        return selectors.organisation_list_for(self.request.user)

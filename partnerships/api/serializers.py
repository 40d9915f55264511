"""Input and output shapes for the partnership API. Inputs only parse; services decide."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnerships.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Outcome,
    Partnership,
    Role,
)
from places.models import Place

# Database ids and positions are 32-bit integers; say so, so no value can overflow them.
ID_MAX = 2**31 - 1

# A plain string, not a second enum of the same roles (which would need another name).
MY_ROLE_HELP = "Your role here: viewer, analyst or admin"


class PartnershipPlaceSerializer(serializers.ModelSerializer[Place]):
    class Meta:
        model = Place
        fields = ["code", "name", "area_type"]


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    place: serializers.SlugRelatedField[Place] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "kind_label", "place", "website"]


class MemberSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.get_username", read_only=True)
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, allow_null=True, default=None
    )
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "full_name",
            "organisation",
            "organisation_name",
            "role",
            "joined_at",
        ]
        read_only_fields = fields


class PartnershipListSerializer(serializers.ModelSerializer[Partnership]):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:partnership-detail", lookup_field="slug"
    )
    my_role = serializers.CharField(read_only=True, help_text=MY_ROLE_HELP)
    place_count = serializers.IntegerField(read_only=True)
    organisation_count = serializers.IntegerField(read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    outcome_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "slug",
            "url",
            "name",
            "description",
            "my_role",
            "place_count",
            "organisation_count",
            "member_count",
            "outcome_count",
        ]


class PartnershipDetailSerializer(serializers.ModelSerializer[Partnership]):
    places = PartnershipPlaceSerializer(many=True, read_only=True)
    organisations = OrganisationSerializer(many=True, read_only=True)
    members = serializers.SerializerMethodField()
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Partnership
        fields = [
            "slug",
            "name",
            "description",
            "created_at",
            "my_role",
            "places",
            "organisations",
            "members",
        ]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, partnership: Partnership) -> list[dict[str, Any]]:
        return list(MemberSerializer(self.context["members"], many=True).data)

    @extend_schema_field(serializers.CharField(help_text=MY_ROLE_HELP))
    def get_my_role(self, partnership: Partnership) -> str:
        return str(self.context["membership"].role)


class PartnershipUpdateSerializer(serializers.Serializer[Partnership]):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)


class InviteSerializer(serializers.Serializer[Invitation]):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)
    organisation = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of one of the partnership's organisations",
        min_value=1,
        max_value=ID_MAX,
    )


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "organisation", "created_at", "expires_at"]
        read_only_fields = fields


class MemberUpdateSerializer(serializers.Serializer[Membership]):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    organisation = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of one of the partnership's organisations, or null for none",
        min_value=1,
        max_value=ID_MAX,
    )


class OutcomeSerializer(serializers.ModelSerializer[Outcome]):
    lead_organisation_name = serializers.CharField(
        source="lead_organisation.name", read_only=True, allow_null=True, default=None
    )
    contributors: serializers.PrimaryKeyRelatedField[Organisation] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    framework: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True
    )
    node_keys = serializers.ListField(child=serializers.CharField(), read_only=True)
    indicators: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = Outcome
        fields = [
            "id",
            "title",
            "description",
            "lead_organisation",
            "lead_organisation_name",
            "contributors",
            "framework",
            "node_keys",
            "indicators",
            "position",
            "is_published",
            "published_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OutcomeInputSerializer(serializers.Serializer[Outcome]):
    """Organisations by id, the framework by key, indicators by slug."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    lead_organisation = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )
    contributors = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False, default=list
    )
    framework = serializers.CharField(
        max_length=80, required=False, allow_null=True, allow_blank=True, default=None
    )
    node_keys = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list
    )
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=160), required=False, default=list
    )
    position = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False, default=0)


class PublicationSerializer(serializers.Serializer[Outcome]):
    is_published = serializers.BooleanField()
    published_from = serializers.DateField(
        required=False, allow_null=True, help_text="Visible to everyone from this date"
    )


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.SerializerMethodField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        read_only=True,
        help_text="field: [before, after]",
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        ]

    def get_actor(self, event: AuditEvent) -> str | None:
        return event.actor.get_username() if event.actor else None

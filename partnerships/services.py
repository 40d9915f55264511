"""Writes to a partnership's workspace: the partnership itself, its people and its outcomes.

Every service checks the actor's role itself (``require_role``), so a page, the API or a
script cannot forget to, and records an audit event in the same transaction. References
to other objects arrive as identifiers and are looked up only among the objects this
partnership may use; anything else is reported exactly as a missing identifier would be,
so nothing about another partnership can be learnt from an error message.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from frameworks.models import Framework, FrameworkNode
from indicators.models import Indicator
from partnerships.audit import audit_record, field_changes
from partnerships.models import (
    Invitation,
    Membership,
    Organisation,
    Outcome,
    Partnership,
    Role,
)
from partnerships.visibility import require_role

LAST_ADMIN = "A partnership needs at least one admin: make someone else an admin first."


def _own_or_national(partnership: Partnership, prefix: str = "") -> Q:
    """National baseline objects or this partnership's own: what its outcomes may use."""
    return Q(**{f"{prefix}partnership__isnull": True}) | Q(
        **{f"{prefix}partnership_id": partnership.pk}
    )


# The partnership ----------------------------------------------------------------------


@transaction.atomic
def partnership_update(
    *, actor: Any, partnership: Partnership, name: str | None = None, description: str | None = None
) -> Partnership:
    """Rename or re-describe the partnership (admins only)."""
    require_role(actor, partnership.pk, Role.ADMIN)
    before = {"name": partnership.name, "description": partnership.description}
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": "A partnership needs a name."})
        partnership.name = name.strip()
    if description is not None:
        partnership.description = description
    after = {"name": partnership.name, "description": partnership.description}
    changes = field_changes(before, after)
    if changes:
        partnership.save(update_fields=["name", "description"])
        audit_record(
            actor=actor,
            partnership_id=partnership.pk,
            action="update",
            obj=partnership,
            changes=changes,
        )
    return partnership


# People -------------------------------------------------------------------------------


def _member_organisation(
    partnership: Partnership, organisation_id: int | None
) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = partnership.organisations.filter(pk=organisation_id).first()
    if organisation is None:
        raise ValidationError(
            {"organisation": f"Organisation {organisation_id} was not found in this partnership."}
        )
    return organisation


@transaction.atomic
def member_invite(
    *,
    actor: Any,
    partnership: Partnership,
    email: str,
    role: str = Role.VIEWER,
    organisation_id: int | None = None,
    request: HttpRequest,
) -> Invitation:
    """Invite a person by e-mail; the message goes out once the invitation is saved."""
    require_role(actor, partnership.pk, Role.ADMIN)
    email = get_user_model().objects.normalize_email(email.strip())
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role “{role}”."})
    organisation = _member_organisation(partnership, organisation_id)
    if Membership.objects.filter(partnership=partnership, user__email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this e-mail address is already a member."})
    open_invitations = Invitation.objects.filter(
        partnership=partnership, email__iexact=email, accepted_at__isnull=True
    )
    if any(invitation.is_open for invitation in open_invitations):
        raise ValidationError({"email": "This address already has an open invitation."})
    invitation = Invitation.objects.create(
        partnership=partnership,
        email=email,
        role=role,
        organisation=organisation,
        invited_by=actor,
    )
    audit_record(
        actor=actor,
        partnership_id=partnership.pk,
        action="invite",
        obj=invitation,
        changes=field_changes({}, {"email": email, "role": role, "organisation": organisation}),
    )

    def send() -> None:
        # Written by the accounts work alongside this module; imported late so each
        # can be loaded without the other.
        from partnerships.account_services import invitation_send

        invitation_send(invitation=invitation, request=request)

    transaction.on_commit(send)
    return invitation


def _admin_count(partnership_id: int) -> int:
    # Lock the admin rows so two admins demoting each other at once cannot both succeed.
    return len(
        Membership.objects.select_for_update()
        .filter(partnership_id=partnership_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def membership_change_role(
    *,
    actor: Any,
    membership: Membership,
    role: str | None = None,
    organisation_id: int | None = None,
    set_organisation: bool = False,
) -> Membership:
    """Change a member's role (and, when asked, the organisation they represent)."""
    require_role(actor, membership.partnership_id, Role.ADMIN)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = {"role": membership.role, "organisation": membership.organisation_id}
    if role is not None:
        if role not in Role.values:
            raise ValidationError({"role": f"Unknown role “{role}”."})
        if (
            membership.role == Role.ADMIN
            and role != Role.ADMIN
            and _admin_count(membership.partnership_id) <= 1
        ):
            raise ValidationError({"role": LAST_ADMIN})
        membership.role = role
    if set_organisation:
        organisation = _member_organisation(membership.partnership, organisation_id)
        membership.organisation = organisation
    after = {"role": membership.role, "organisation": membership.organisation_id}
    changes = field_changes(before, after)
    if changes:
        membership.save(update_fields=["role", "organisation"])
        audit_record(
            actor=actor,
            partnership_id=membership.partnership_id,
            action="change_role" if "role" in changes else "update",
            obj=membership,
            changes=changes,
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    """Take a person out of the partnership; the last admin cannot be removed."""
    require_role(actor, membership.partnership_id, Role.ADMIN)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and _admin_count(membership.partnership_id) <= 1:
        raise ValidationError(LAST_ADMIN)
    audit_record(
        actor=actor,
        partnership_id=membership.partnership_id,
        action="remove",
        obj=membership,
        changes=field_changes(
            {
                "user": membership.user.get_username(),
                "role": membership.role,
                "organisation": membership.organisation_id,
            },
            {},
        ),
    )
    membership.delete()


# Outcomes -----------------------------------------------------------------------------

OUTCOME_FIELDS = (
    "title",
    "description",
    "lead_organisation",
    "contributors",
    "framework",
    "node_keys",
    "indicators",
    "position",
)


def _outcome_state(outcome: Outcome) -> dict[str, Any]:
    """What an audit event compares: plain values, sorted, readable later."""
    return {
        "title": outcome.title,
        "description": outcome.description,
        "lead_organisation": outcome.lead_organisation_id,
        "contributors": sorted(o.pk for o in outcome.contributors.all()),
        "framework": outcome.framework.key if outcome.framework_id and outcome.framework else None,
        "node_keys": list(outcome.node_keys or []),
        "indicators": sorted(i.slug for i in outcome.indicators.all()),
        "position": outcome.position,
        "is_published": outcome.is_published,
        "published_from": outcome.published_from.isoformat() if outcome.published_from else None,
    }


def _resolve_organisations(
    partnership: Partnership, ids: Iterable[int], field: str
) -> list[Organisation]:
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found = {o.pk: o for o in partnership.organisations.filter(pk__in=wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            {
                field: [
                    f"Organisation {i} was not found among this partnership's organisations."
                    for i in missing
                ]
            }
        )
    return [found[i] for i in wanted]


def _resolve_framework(partnership: Partnership, key: str | None) -> Framework | None:
    if not key:
        return None
    framework = Framework.objects.filter(_own_or_national(partnership), key=key).first()
    if framework is None:
        raise ValidationError({"framework": f"Framework “{key}” was not found."})
    return framework


def _check_node_keys(framework: Framework | None, node_keys: list[str]) -> list[str]:
    keys = list(dict.fromkeys(str(k).strip() for k in node_keys if str(k).strip()))
    if not keys:
        return []
    if framework is None:
        raise ValidationError({"node_keys": "Choose the framework these parts belong to."})
    latest = framework.versions.order_by("-version").first()
    known = set(
        FrameworkNode.objects.filter(version=latest, key__in=keys).values_list("key", flat=True)
    )
    missing = [k for k in keys if k not in known]
    if missing:
        raise ValidationError(
            {
                "node_keys": [
                    f"Part “{k}” was not found in the latest version of {framework.name}."
                    for k in missing
                ]
            }
        )
    return keys


def _resolve_indicators(partnership: Partnership, slugs: Iterable[str]) -> list[Indicator]:
    wanted = list(dict.fromkeys(str(s).strip() for s in slugs if str(s).strip()))
    found = {
        i.slug: i
        for i in Indicator.objects.filter(
            _own_or_national(partnership, "dataset__"), slug__in=wanted
        )
    }
    missing = [s for s in wanted if s not in found]
    if missing:
        raise ValidationError({"indicators": [f"Indicator “{s}” was not found." for s in missing]})
    return [found[s] for s in wanted]


def _apply_outcome(
    outcome: Outcome, partnership: Partnership, data: dict[str, Any]
) -> tuple[list[Organisation] | None, list[Indicator] | None]:
    """Validate ``data`` (only the keys present) and set the plain fields on ``outcome``."""
    errors: dict[str, Any] = {}
    contributors = indicators = None

    def attempt(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            return None

    if "title" in data:
        title = (data["title"] or "").strip()
        if not title:
            errors["title"] = ["An outcome needs a title."]
        outcome.title = title
    if "description" in data:
        outcome.description = data["description"] or ""
    if "position" in data:
        outcome.position = int(data["position"] or 0)
    if "lead_organisation" in data:
        lead_id = data["lead_organisation"]
        lead = (
            attempt(_resolve_organisations, partnership, [lead_id], "lead_organisation")
            if lead_id is not None
            else [None]
        )
        outcome.lead_organisation = lead[0] if lead else None
    if "contributors" in data:
        contributors = attempt(
            _resolve_organisations, partnership, data["contributors"] or [], "contributors"
        )
    if "framework" in data:
        outcome.framework = attempt(_resolve_framework, partnership, data["framework"])
    if "framework" in data or "node_keys" in data:
        keys = data.get("node_keys", outcome.node_keys)
        if "framework" not in errors:
            checked = attempt(_check_node_keys, outcome.framework, list(keys or []))
            outcome.node_keys = checked if checked is not None else outcome.node_keys
    if "indicators" in data:
        indicators = attempt(_resolve_indicators, partnership, data["indicators"] or [])
    if errors:
        raise ValidationError(errors)
    return contributors, indicators


@transaction.atomic
def outcome_create(*, actor: Any, partnership: Partnership, **data: Any) -> Outcome:
    """Add an agreed outcome (analysts and admins). ``data`` keys: see ``OUTCOME_FIELDS``;
    organisations by id, the framework by key, indicators by slug."""
    require_role(actor, partnership.pk, Role.ANALYST)
    unknown = set(data) - set(OUTCOME_FIELDS)
    if unknown:
        raise TypeError(f"unknown outcome fields: {sorted(unknown)}")
    data.setdefault("title", "")
    outcome = Outcome(partnership=partnership)
    contributors, indicators = _apply_outcome(outcome, partnership, data)
    outcome.save()
    outcome.contributors.set(contributors or [])
    outcome.indicators.set(indicators or [])
    audit_record(
        actor=actor,
        partnership_id=partnership.pk,
        action="create",
        obj=outcome,
        changes=field_changes({}, _outcome_state(outcome)),
    )
    return outcome


@transaction.atomic
def outcome_update(*, actor: Any, outcome: Outcome, **data: Any) -> Outcome:
    """Change the fields given in ``data`` (analysts and admins)."""
    require_role(actor, outcome.partnership_id, Role.ANALYST)
    unknown = set(data) - set(OUTCOME_FIELDS)
    if unknown:
        raise TypeError(f"unknown outcome fields: {sorted(unknown)}")
    outcome = (
        Outcome.objects.select_for_update(of=("self",))
        .select_related("framework", "partnership")
        .get(pk=outcome.pk)
    )
    partnership = outcome.partnership
    if partnership is None:  # baseline outcomes are refused by require_role above
        raise PermissionDenied("The national baseline cannot be changed here.")
    before = _outcome_state(outcome)
    contributors, indicators = _apply_outcome(outcome, partnership, data)
    outcome.save()
    if contributors is not None:
        outcome.contributors.set(contributors)
    if indicators is not None:
        outcome.indicators.set(indicators)
    changes = field_changes(before, _outcome_state(outcome))
    if changes:
        audit_record(
            actor=actor,
            partnership_id=outcome.partnership_id,
            action="update",
            obj=outcome,
            changes=changes,
        )
    return outcome


@transaction.atomic
def outcome_delete(*, actor: Any, outcome: Outcome) -> None:
    """Remove an outcome (analysts and admins); the audit event keeps what it was."""
    require_role(actor, outcome.partnership_id, Role.ANALYST)
    audit_record(
        actor=actor,
        partnership_id=outcome.partnership_id,
        action="delete",
        obj=outcome,
        changes=field_changes(_outcome_state(outcome), {}),
    )
    outcome.delete()


@transaction.atomic
def outcome_publish(
    *, actor: Any, outcome: Outcome, is_published: bool, published_from: date | None = None
) -> Outcome:
    """Publish (optionally from a date) or withdraw an outcome (admins only)."""
    require_role(actor, outcome.partnership_id, Role.ADMIN)
    before = {"is_published": outcome.is_published, "published_from": outcome.published_from}
    outcome.is_published = bool(is_published)
    outcome.published_from = published_from if is_published else None
    changes = field_changes(
        before, {"is_published": outcome.is_published, "published_from": outcome.published_from}
    )
    if changes:
        outcome.save(update_fields=["is_published", "published_from", "updated_at"])
        audit_record(
            actor=actor,
            partnership_id=outcome.partnership_id,
            action="publish" if outcome.is_published else "unpublish",
            obj=outcome,
            changes=changes,
        )
    return outcome

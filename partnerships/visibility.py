"""Who may see what: the one place the privacy rule is written.

An owned object is visible when it has no owner (the national baseline), when the person
belongs to the owning partnership, or when it is published and its publication date
(if any) has come. Querysets use ``visible_q``; single objects ``is_visible``. Anything
not visible is reported as not found, so its existence cannot be inferred.
"""

from datetime import date
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from partnerships.models import ROLE_RANK, Membership, Role


def _today() -> date:
    return timezone.localdate()


def member_partnership_ids(user: Any) -> list[int]:
    """Ids of the partnerships the person belongs to (none when signed out)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_partnership_ids", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("partnership_id", flat=True))
        user._partnership_ids = cached
    return cached


def published_q(prefix: str = "", today: date | None = None) -> Q:
    today = today or _today()
    return Q(**{f"{prefix}is_published": True}) & (
        Q(**{f"{prefix}published_from__isnull": True})
        | Q(**{f"{prefix}published_from__lte": today})
    )


def visible_q(user: Any, prefix: str = "") -> Q:
    """Filter for owned objects the person may see; ``prefix`` reaches them via relations."""
    return (
        Q(**{f"{prefix}partnership__isnull": True})
        | Q(**{f"{prefix}partnership_id__in": member_partnership_ids(user)})
        | published_q(prefix)
    )


def is_visible(obj: Any, user: Any) -> bool:
    if obj.partnership_id is None or obj.partnership_id in member_partnership_ids(user):
        return True
    return bool(obj.is_published) and (obj.published_from is None or obj.published_from <= _today())


def membership_for(user: Any, partnership_id: int) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, partnership_id=partnership_id).first()


def require_role(user: Any, partnership_id: int | None, role: str) -> Membership | None:
    """The person's membership when it allows ``role``; 404 to outsiders, 403 to members
    whose role is too low. Baseline objects (no owner) cannot be changed this way."""
    from django.core.exceptions import PermissionDenied

    if partnership_id is None:
        raise PermissionDenied("The national baseline cannot be changed here.")
    membership = membership_for(user, partnership_id)
    if membership is None:
        raise Http404("Not found.")
    if ROLE_RANK[Role(membership.role)] < ROLE_RANK[Role(role)]:
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role.")
    return membership

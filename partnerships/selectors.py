"""Reads for the partnership workspace, already narrowed to what the person may see.

Pages and the API both read through these, so the privacy rule (``visibility``) is
applied where the query is built, and so is the eager loading each list needs.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from frameworks.models import Framework
from indicators.models import Dataset
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
from partnerships.visibility import member_partnership_ids, require_role


def _count_of(model: Any, **filters: Any) -> Coalesce:
    """A correlated COUNT(*) per partnership, so one list query carries every count."""
    counted = (
        model.objects.filter(partnership_id=OuterRef("pk"), **filters)
        .order_by()
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def partnership_list_for(user: Any) -> QuerySet[Partnership]:
    """The person's partnerships with their role and how much each holds."""
    role = Membership.objects.filter(partnership_id=OuterRef("pk"), user_id=user.pk).values("role")[
        :1
    ]
    return (
        Partnership.objects.filter(pk__in=member_partnership_ids(user))
        .annotate(
            my_role=Subquery(role),
            member_count=_count_of(Membership),
            outcome_count=_count_of(Outcome),
            place_count=_count_of(Partnership.places.through),
            organisation_count=_count_of(Partnership.organisations.through),
        )
        .order_by("name")
    )


def partnership_get_for(
    user: Any, slug: str, role: str = Role.VIEWER
) -> tuple[Partnership, Membership]:
    """The partnership and the person's membership; 404 for outsiders (and unknown slugs,
    indistinguishably), 403 for members whose role is below ``role``."""
    partnership = Partnership.objects.filter(slug=slug).first()
    if partnership is None:
        raise Http404("Not found.")
    membership = require_role(user, partnership.pk, role)
    assert membership is not None  # require_role raises rather than return None here
    return partnership, membership


def partnership_detail(partnership: Partnership) -> Partnership:
    """The partnership with its places and organisations loaded for a detail view."""
    return Partnership.objects.prefetch_related(
        Prefetch("places", queryset=partnership.places.model.objects.order_by("name")),
        Prefetch("organisations", queryset=Organisation.objects.select_related("place")),
    ).get(pk=partnership.pk)


def membership_list(partnership: Partnership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("user", "organisation")
        .order_by("user__username")
    )


def membership_get(partnership: Partnership, pk: int) -> Membership:
    """One membership of this partnership; another partnership's is simply not found."""
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation", "partnership"),
        partnership=partnership,
        pk=pk,
    )


def invitation_list_open(partnership: Partnership) -> list[Invitation]:
    pending = Invitation.objects.filter(
        partnership=partnership, accepted_at__isnull=True
    ).select_related("organisation", "invited_by")
    return [invitation for invitation in pending if invitation.is_open]


def organisation_list_for(user: Any) -> QuerySet[Organisation]:
    """Organisations of the person's partnerships only, never the whole register."""
    return (
        Organisation.objects.filter(partnerships__in=member_partnership_ids(user))
        .select_related("place")
        .distinct()
        .order_by("name")
    )


def organisations_by_kind(partnership: Partnership) -> list[tuple[str, list[Organisation]]]:
    """Member organisations grouped under their kind's label, kinds in the usual order."""
    order = {value: n for n, value in enumerate(OrganisationKind.values)}
    organisations = sorted(
        partnership.organisations.all(), key=lambda o: (order.get(o.kind, 99), o.name)
    )
    return [
        (OrganisationKind(kind).label, list(group))
        for kind, group in groupby(organisations, key=lambda o: o.kind)
    ]


def outcome_list(partnership: Partnership, user: Any) -> QuerySet[Outcome]:
    """The partnership's outcomes this person may see, with what each list shows."""
    return (
        Outcome.objects.visible_to(user)
        .filter(partnership=partnership)
        .select_related("lead_organisation", "framework")
        .prefetch_related(
            Prefetch("contributors", queryset=Organisation.objects.order_by("name")),
            "indicators",
        )
        .order_by("position", "title", "pk")
    )


def outcome_get(partnership: Partnership, user: Any, pk: int) -> Outcome:
    return get_object_or_404(outcome_list(partnership, user), pk=pk)


def framework_list_for(partnership: Partnership) -> QuerySet[Framework]:
    """The partnership's own frameworks (the dashboard lists these)."""
    return Framework.objects.filter(partnership=partnership).order_by("name")


def framework_choices_for(partnership: Partnership) -> QuerySet[Framework]:
    """Frameworks an outcome may point at: the national ones and the partnership's own."""
    from django.db.models import Q

    return Framework.objects.filter(
        Q(partnership__isnull=True) | Q(partnership=partnership)
    ).order_by("name")


def dataset_list_for(partnership: Partnership) -> QuerySet[Dataset]:
    """The partnership's local datasets, with how many indicators each has."""
    return (
        Dataset.objects.filter(partnership=partnership)
        .annotate(indicator_count=Count("indicators"))
        .order_by("name")
    )


@dataclass
class TableRow:
    outcome: Outcome
    cells: list[str]  # "lead", "contributing" or "" per organisation, in column order


@dataclass
class AroundTheTable:
    """Which partners belong around which outcome: outcomes × member organisations."""

    organisations: list[Organisation]
    rows: list[TableRow] = field(default_factory=list)

    @property
    def unengaged(self) -> list[Organisation]:
        """Member organisations with no part in any outcome yet."""
        return [
            organisation
            for n, organisation in enumerate(self.organisations)
            if not any(row.cells[n] for row in self.rows)
        ]


def around_the_table(
    partnership: Partnership, outcomes: Sequence[Outcome] | None = None, user: Any = None
) -> AroundTheTable:
    """Build the matrix from outcomes already loaded (with contributors prefetched)."""
    if outcomes is None:
        outcomes = list(outcome_list(partnership, user))
    order = {value: n for n, value in enumerate(OrganisationKind.values)}
    organisations = sorted(
        partnership.organisations.all(), key=lambda o: (order.get(o.kind, 99), o.name)
    )
    table = AroundTheTable(organisations=organisations)
    for outcome in outcomes:
        contributing = {o.pk for o in outcome.contributors.all()}
        cells = []
        for organisation in organisations:
            if organisation.pk == outcome.lead_organisation_id:
                cells.append("lead")
            elif organisation.pk in contributing:
                cells.append("contributing")
            else:
                cells.append("")
        table.rows.append(TableRow(outcome=outcome, cells=cells))
    return table


def audit_events(partnership: Partnership) -> QuerySet[AuditEvent]:
    """The partnership's audit log, newest first."""
    return AuditEvent.objects.filter(partnership=partnership).select_related("actor")

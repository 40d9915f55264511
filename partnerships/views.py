"""Partnership workspace pages. Each view finds the partnership through
``selectors.partnership_get_for`` (404 to outsiders, 403 to too-low roles), parses a
form and calls a service; none holds a rule of its own."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from partnerships import selectors, services
from partnerships.forms import InviteForm, OutcomeForm, PartnershipForm, PublicationForm, RoleForm
from partnerships.models import Membership, Outcome, Role

AUDIT_PAGE_SIZE = 50


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, beside the field it concerns when there is one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _context(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "partnership": membership.partnership,
        "membership": membership,
        "is_admin": membership.allows(Role.ADMIN),
        "is_analyst": membership.allows(Role.ANALYST),
        **extra,
    }


@login_required
def partnership_list(request: HttpRequest) -> HttpResponse:
    partnerships = selectors.partnership_list_for(request.user)
    return render(request, "partnerships/partnership_list.html", {"partnerships": partnerships})


@login_required
def partnership_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    partnership, membership = selectors.partnership_get_for(request.user, slug)
    partnership = selectors.partnership_detail(partnership)
    membership.partnership = partnership
    outcomes = list(selectors.outcome_list(partnership, request.user))
    context = _context(
        membership,
        places=list(partnership.places.all()),
        organisation_groups=selectors.organisations_by_kind(partnership),
        members=selectors.membership_list(partnership),
        outcomes=outcomes,
        frameworks=selectors.framework_list_for(partnership),
        datasets=selectors.dataset_list_for(partnership),
    )
    return render(request, "partnerships/partnership_dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, slug: str) -> HttpResponse:
    partnership, membership = selectors.partnership_get_for(request.user, slug, Role.ADMIN)
    form = PartnershipForm(
        request.POST or None,
        initial={"name": partnership.name, "description": partnership.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(
                actor=request.user,
                partnership=partnership,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Partnership details saved.")
            return redirect("partnerships:dashboard", slug=partnership.slug)
    return render(request, "partnerships/partnership_edit.html", _context(membership, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone sees who is in the partnership; admins invite (POST) from the same page."""
    partnership, membership = selectors.partnership_get_for(request.user, slug)
    form = None
    if request.method == "POST" or membership.allows(Role.ADMIN):
        partnership, membership = selectors.partnership_get_for(request.user, slug, Role.ADMIN)
        form = InviteForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form is not None and form.is_valid():
        organisation = form.cleaned_data.get("organisation")
        try:
            invitation = services.member_invite(
                actor=request.user,
                partnership=partnership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation_id=organisation.pk if organisation else None,
                request=request,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("partnerships:members", slug=partnership.slug)
    members = list(selectors.membership_list(partnership))
    context = _context(
        membership,
        members=members,
        form=form,
        roles=Role.choices,
        invitations=selectors.invitation_list_open(partnership)
        if membership.allows(Role.ADMIN)
        else [],
    )
    return render(request, "partnerships/member_list.html", context)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership, _ = selectors.partnership_get_for(request.user, slug, Role.ADMIN)
    target = selectors.membership_get(partnership, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
    else:
        try:
            services.membership_change_role(
                actor=request.user, membership=target, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"{target.user.get_username()} is now {form.cleaned_data['role']}."
            )
    return redirect("partnerships:members", slug=partnership.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership, _ = selectors.partnership_get_for(request.user, slug, Role.ADMIN)
    target = selectors.membership_get(partnership, pk)
    try:
        services.membership_remove(actor=request.user, membership=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{target.user.get_username()} was removed.")
    return redirect("partnerships:members", slug=partnership.slug)


@login_required
def outcome_list(request: HttpRequest, slug: str) -> HttpResponse:
    partnership, membership = selectors.partnership_get_for(request.user, slug)
    outcomes = list(selectors.outcome_list(partnership, request.user))
    table = selectors.around_the_table(partnership, outcomes)
    context = _context(membership, outcomes=outcomes, table=table)
    return render(request, "partnerships/outcome_list.html", context)


def _outcome_initial(outcome: Outcome) -> dict[str, Any]:
    return {
        "title": outcome.title,
        "description": outcome.description,
        "lead_organisation": outcome.lead_organisation,
        "contributors": list(outcome.contributors.all()),
        "framework": outcome.framework,
        "node_keys": ", ".join(outcome.node_keys or []),
        "indicators": list(outcome.indicators.all()),
        "position": outcome.position,
    }


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request: HttpRequest, slug: str) -> HttpResponse:
    partnership, membership = selectors.partnership_get_for(request.user, slug, Role.ANALYST)
    form = OutcomeForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.outcome_create(
                actor=request.user, partnership=partnership, **form.service_data()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Outcome “{outcome.title}” added.")
            return redirect("partnerships:outcomes", slug=partnership.slug)
    return render(
        request, "partnerships/outcome_form.html", _context(membership, form=form, outcome=None)
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership, membership = selectors.partnership_get_for(request.user, slug, Role.ANALYST)
    outcome = selectors.outcome_get(partnership, request.user, pk)
    form = OutcomeForm(
        request.POST or None, partnership=partnership, initial=_outcome_initial(outcome)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_update(actor=request.user, outcome=outcome, **form.service_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Outcome saved.")
            return redirect("partnerships:outcomes", slug=partnership.slug)
    context = _context(
        membership,
        form=form,
        outcome=outcome,
        publication_form=PublicationForm(
            initial={
                "is_published": outcome.is_published,
                "published_from": outcome.published_from,
            }
        ),
    )
    return render(request, "partnerships/outcome_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership, membership = selectors.partnership_get_for(request.user, slug, Role.ANALYST)
    outcome = selectors.outcome_get(partnership, request.user, pk)
    if request.method == "POST":
        services.outcome_delete(actor=request.user, outcome=outcome)
        messages.success(request, f"Outcome “{outcome.title}” deleted.")
        return redirect("partnerships:outcomes", slug=partnership.slug)
    return render(
        request, "partnerships/outcome_confirm_delete.html", _context(membership, outcome=outcome)
    )


@login_required
@require_POST
def outcome_publication(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership, _ = selectors.partnership_get_for(request.user, slug, Role.ADMIN)
    outcome = selectors.outcome_get(partnership, request.user, pk)
    form = PublicationForm(request.POST)
    if form.is_valid():
        services.outcome_publish(
            actor=request.user,
            outcome=outcome,
            is_published=form.cleaned_data["is_published"],
            published_from=form.cleaned_data["published_from"],
        )
        messages.success(
            request, "Outcome published." if outcome.is_published else "Outcome made private."
        )
    else:
        messages.error(request, "Enter a valid date (YYYY-MM-DD) or leave it empty.")
    return redirect("partnerships:outcome-edit", slug=partnership.slug, pk=outcome.pk)


@login_required
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    partnership, membership = selectors.partnership_get_for(request.user, slug, Role.ANALYST)
    page = Paginator(selectors.audit_events(partnership), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "partnerships/audit_log.html", _context(membership, page=page))

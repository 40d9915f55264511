"""Writes for people's accounts: accepting an invitation, sending one."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Field
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnerships.audit import audit_record
from partnerships.models import ROLE_RANK, Invitation, Membership, Role


class InvitationClosedError(Exception):
    """The invitation was used already or has expired."""


class InvitationWrongUserError(Exception):
    """A signed-in person whose e-mail address is not the one invited."""


def _emails_match(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _account_create(*, email: str, username: str, password: str) -> Any:
    """A new account, checked here too so no caller can skip the password rules."""
    user_model = get_user_model()
    username = user_model.normalize_username(username.strip())
    errors: dict[str, list[ValidationError]] = {}
    try:
        username_field = user_model._meta.get_field(user_model.USERNAME_FIELD)
        if isinstance(username_field, Field):
            username_field.run_validators(username)
        if not username:
            raise ValidationError("Enter a username.", code="required")
    except ValidationError as exc:
        errors["username"] = exc.error_list
    else:
        if user_model._default_manager.filter(
            **{f"{user_model.USERNAME_FIELD}__iexact": username}
        ).exists():
            errors["username"] = [
                ValidationError("That username is taken. Choose another.", code="unique")
            ]
    try:
        validate_password(
            password, user=user_model(**{user_model.USERNAME_FIELD: username, "email": email})
        )
    except ValidationError as exc:
        errors["password"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return user_model._default_manager.create_user(username, email=email, password=password)


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: Any = None,
    username: str = "",
    password: str = "",
) -> Membership:
    """Make the invited person a member with the invitation's role and organisation.

    Signed in (``user``): their e-mail must be the invited one. Otherwise a new account is
    made from ``username`` and ``password``. The invitation row is locked so a link used
    twice at once still makes one membership.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("partnership").get(pk=invitation.pk)
    )
    if not invitation.is_open:
        raise InvitationClosedError("This invitation has expired or has been used.")
    if user is not None:
        if not _emails_match(user.email or "", invitation.email):
            raise InvitationWrongUserError(
                "This invitation was sent to a different e-mail address."
            )
    else:
        user = _account_create(email=invitation.email, username=username, password=password)

    membership = Membership.objects.filter(partnership=invitation.partnership, user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            partnership=invitation.partnership,
            user=user,
            role=invitation.role,
            organisation=invitation.organisation,
        )
        changes: dict[str, list[Any]] = {
            "role": [None, invitation.role],
            "organisation": [None, invitation.organisation_id],
        }
    else:
        # Already at the table: an invitation may raise the role, never lower it.
        changes = {}
        if ROLE_RANK[Role(invitation.role)] > ROLE_RANK[Role(membership.role)]:
            changes["role"] = [membership.role, invitation.role]
            membership.role = invitation.role
        if membership.organisation_id is None and invitation.organisation_id is not None:
            changes["organisation"] = [None, invitation.organisation_id]
            membership.organisation_id = invitation.organisation_id
        if changes:
            membership.save(update_fields=["role", "organisation"])

    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        partnership_id=invitation.partnership_id,
        action="join",
        obj=membership,
        changes={**changes, "invitation": [None, invitation.pk]},
    )
    return membership


def invitation_send(*, invitation: Invitation, request: HttpRequest) -> None:
    """E-mail the invitation link (to the console unless an e-mail backend is set)."""
    link = request.build_absolute_uri(
        reverse("accounts:invitation_accept", kwargs={"token": invitation.token})
    )
    context = {
        "invitation": invitation,
        "partnership": invitation.partnership,
        "inviter": invitation.invited_by,
        "role": Role(invitation.role).label,
        "link": link,
    }
    subject = f"Invitation to join {invitation.partnership.name} on Thriving Places"
    body = render_to_string("partnerships/invitation_email.html", context, request=request)
    send_mail(subject, body, None, [invitation.email])

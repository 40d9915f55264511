"""Sign-in with the login limit's message, and accepting an invitation to a partnership."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from partnerships.account_services import (
    InvitationClosedError,
    InvitationWrongUserError,
    invitation_accept,
)
from partnerships.auth_backends import BACKEND_PATH, login_throttle
from partnerships.models import Invitation, Role


class ThrottledAuthenticationForm(AuthenticationForm):
    """Says why sign-in was refused when the login limit, not the password, refused it."""

    def get_invalid_login_error(self) -> ValidationError:
        throttle = login_throttle(self.request, self.cleaned_data.get("username"))
        if throttle.locked:
            return ValidationError(throttle.message, code="throttled")
        return super().get_invalid_login_error()


class InvitationSignupForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. You will sign in with it.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text=password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        help_text="The same password, to check it.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


def _invitation_invalid(request: HttpRequest) -> HttpResponse:
    """One page for unknown, expired and used links: nothing about the partnership."""
    return render(request, "partnerships/invitation_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.select_related("partnership", "organisation", "invited_by")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return _invitation_invalid(request)
    context: dict[str, Any] = {
        "invitation": invitation,
        "role_label": Role(invitation.role).label,
        "login_url": f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}",
    }
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                membership = invitation_accept(invitation=invitation, user=user)
            except InvitationClosedError:
                return _invitation_invalid(request)
            except InvitationWrongUserError:
                return render(request, "partnerships/invitation_wrong_user.html", status=403)
            messages.success(request, f"You have joined {membership.partnership.name}.")
            return redirect("partnerships:dashboard", slug=membership.partnership.slug)
        if (user.email or "").strip().casefold() != invitation.email.strip().casefold():
            return render(request, "partnerships/invitation_wrong_user.html", status=403)
        return render(request, "partnerships/invitation_accept.html", context)

    if (
        get_user_model()
        ._default_manager.filter(email__iexact=invitation.email, is_active=True)
        .exists()
    ):
        # The invited address has an account: sign in to it rather than make a second one.
        context["existing_account"] = True
        return render(request, "partnerships/invitation_accept.html", context)

    form = InvitationSignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            membership = invitation_accept(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except InvitationClosedError:
            return _invitation_invalid(request)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error("password1" if field == "password" else field, error)
        else:
            login(request, membership.user, backend=BACKEND_PATH)
            messages.success(request, f"Welcome. You have joined {membership.partnership.name}.")
            return redirect("partnerships:dashboard", slug=membership.partnership.slug)
    context["form"] = form
    context["action"] = reverse("accounts:invitation_accept", kwargs={"token": token})
    return render(request, "partnerships/invitation_accept.html", context)

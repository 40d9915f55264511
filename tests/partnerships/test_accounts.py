"""Sign-in, sign-out, password reset and change, invitations, the login limit and the
deployment settings that protect sessions and cookies."""

import json
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY, authenticate, get_user_model
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from partnerships.account_services import (
    InvitationClosedError,
    InvitationWrongUserError,
    invitation_accept,
    invitation_send,
)
from partnerships.auth_backends import client_ip
from partnerships.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
)
from places.models import Place

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "heathland-Breckland-2024"
NEW_PASSWORD = "broads-Wherry-sail-7731"
LOGIN = "/accounts/login/"


@pytest.fixture
def person():
    return User.objects.create_user("alice", email="alice@norfolk.example", password=PASSWORD)


@pytest.fixture
def partnership():
    p = Partnership.objects.create(slug="norfolk-healthy-homes", name="Norfolk Healthy Homes")
    p.places.set(Place.objects.filter(code__in=["E10000020", "E07000143", "E07000148"]))
    return p


@pytest.fixture
def council():
    return Organisation.objects.create(
        name="Norfolk County Council",
        kind=OrganisationKind.COUNCIL,
        place=Place.objects.get(code="E10000020"),
    )


@pytest.fixture
def inviter(partnership):
    admin = User.objects.create_user(
        "board-admin", email="admin@norfolk.example", password=PASSWORD
    )
    Membership.objects.create(partnership=partnership, user=admin, role=Role.ADMIN)
    return admin


@pytest.fixture
def invitation(partnership, council, inviter):
    return Invitation.objects.create(
        partnership=partnership,
        email="Bob@Norwich.example",
        role=Role.ANALYST,
        organisation=council,
        invited_by=inviter,
    )


def _url(invitation):
    return reverse("accounts:invitation_accept", kwargs={"token": invitation.token})


def _signed_in_id(client):
    return client.session.get(SESSION_KEY)


# --- sign-in and sign-out -----------------------------------------------------------------


def test_login_page_has_labelled_fields_and_reset_link(client):
    response = client.get(LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert 'autocomplete="current-password"' in html
    assert "csrfmiddlewaretoken" in html
    assert reverse("accounts:password_reset") in html


def test_login_signs_in_and_follows_next(client, person):
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "next": "/partnerships/"}
    )

    assert response.status_code == 302
    assert response.url == "/partnerships/"
    assert _signed_in_id(client) == str(person.pk)


def test_login_refuses_a_redirect_to_another_host(client, person):
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response.url == reverse("partnerships:list")


def test_wrong_password_is_announced_in_an_error_summary(client, person):
    response = client.post(LOGIN, {"username": "alice", "password": "not-the-password"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "<title>Error: Sign in" in html
    assert "Please enter a correct username and password" in html
    assert _signed_in_id(client) is None


def test_missing_field_error_is_linked_to_its_input(client):
    response = client.post(LOGIN, {"username": "alice", "password": ""})

    html = response.content.decode()
    assert 'href="#id_password"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_password_error"' in html


def test_logout_needs_post(client, person):
    client.force_login(person)

    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in_id(client) == str(person.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == reverse("places:home")
    assert _signed_in_id(client) is None


def test_login_enforces_csrf(person):
    csrf_client = Client(enforce_csrf_checks=True)

    refused = csrf_client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 403
    assert _signed_in_id(csrf_client) is None

    csrf_client.get(LOGIN)
    token = csrf_client.cookies["csrftoken"].value
    accepted = csrf_client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert _signed_in_id(csrf_client) == str(person.pk)


def test_logout_enforces_csrf(person):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(person)

    assert csrf_client.post("/accounts/logout/").status_code == 403
    assert _signed_in_id(csrf_client) == str(person.pk)


# --- password reset and change ------------------------------------------------------------


def test_password_reset_end_to_end(client, person):
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@norfolk.example"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@norfolk.example"]
    assert message.subject == "Reset your Thriving Places password"
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", str(message.body))
    assert link, message.body

    set_password = client.get(link.group(1))
    assert set_password.status_code == 302  # the token moves into the session
    form_page = client.get(set_password.url)
    assert "Choose a new password" in form_page.content.decode()

    done = client.post(
        set_password.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    assert client.get(done.url).status_code == 200

    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert "This link does not work" in again.content.decode()


def test_password_reset_rejects_a_short_new_password(client, person):
    client.post(reverse("accounts:password_reset"), {"email": "alice@norfolk.example"})
    found = re.search(r"testserver(/accounts/reset/\S+/)", str(mail.outbox[0].body))
    assert found
    path = found.group(1)
    form_url = client.get(path).url

    response = client.post(form_url, {"new_password1": "short1", "new_password2": "short1"})

    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_sign_in_and_the_old_password(client, person):
    url = reverse("accounts:password_change")
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(LOGIN)

    client.force_login(person)
    wrong = client.post(
        url,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert 'role="alert"' in wrong.content.decode()

    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert _signed_in_id(client) == str(person.pk)  # still signed in


# --- invitations --------------------------------------------------------------------------


def test_new_person_accepts_an_invitation(client, invitation, partnership, council):
    page = client.get(_url(invitation))
    assert page.status_code == 200
    assert "Norfolk Healthy Homes" in page.content.decode()
    assert "Analyst" in page.content.decode()

    response = client.post(
        _url(invitation),
        {"username": "bob", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("partnerships:dashboard", kwargs={"slug": partnership.slug})
    bob = User.objects.get(username="bob")
    assert bob.email.lower() == "bob@norwich.example"
    assert bob.check_password(NEW_PASSWORD)
    assert _signed_in_id(client) == str(bob.pk)
    membership = Membership.objects.get(partnership=partnership, user=bob)
    assert membership.role == Role.ANALYST
    assert membership.organisation == council
    invitation.refresh_from_db()
    assert invitation.accepted_by == bob
    assert invitation.accepted_at is not None
    event = AuditEvent.objects.get(action="join")
    assert event.actor == bob
    assert event.partnership == partnership
    assert event.changes["role"] == [None, "analyst"]


def test_invitation_signup_applies_the_password_validators(client, invitation, person):
    response = client.post(
        _url(invitation),
        {"username": "bob", "password1": "bob12345", "password2": "bob12345"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "at least 12 characters" in html
    assert 'role="alert"' in html
    assert not User.objects.filter(username="bob").exists()

    taken = client.post(
        _url(invitation),
        {"username": "ALICE", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "That username is taken" in taken.content.decode()
    mismatch = client.post(
        _url(invitation),
        {"username": "bob", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert "do not match" in mismatch.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_signed_in_person_with_the_invited_address_just_joins(client, invitation, partnership):
    bob = User.objects.create_user("bob", email="bob@norwich.example", password=PASSWORD)
    client.force_login(bob)

    page = client.get(_url(invitation))
    assert page.status_code == 200
    assert "Join Norfolk Healthy Homes" in page.content.decode()
    assert 'name="password1"' not in page.content.decode()

    response = client.post(_url(invitation))

    assert response.status_code == 302
    assert Membership.objects.get(partnership=partnership, user=bob).role == Role.ANALYST
    assert User.objects.filter(email__iexact="bob@norwich.example").count() == 1


def test_signed_out_person_whose_address_has_an_account_is_asked_to_sign_in(client, invitation):
    User.objects.create_user("bob", email="bob@norwich.example", password=PASSWORD)

    page = client.get(_url(invitation))
    html = page.content.decode()
    assert "Sign in to that account" in html
    assert f"next=%2Faccounts%2Finvitations%2F{invitation.token}%2F" in html

    client.post(
        _url(invitation),
        {"username": "bob2", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not User.objects.filter(username="bob2").exists()


@pytest.mark.parametrize("state", ["expired", "used", "unknown"])
def test_closed_invitations_give_one_page_that_names_nothing(client, invitation, state):
    token = invitation.token
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif state == "used":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    else:
        token = "x" * 43

    for method in (client.get, client.post):
        response = method(
            reverse("accounts:invitation_accept", kwargs={"token": token}),
            {"username": "bob", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        html = response.content.decode()
        assert response.status_code == 404
        assert "This invitation link does not work" in html
        assert "Norfolk" not in html
        assert "Analyst" not in html
        assert "norwich.example" not in html.lower()
    assert not User.objects.filter(username="bob").exists()


def test_person_signed_in_with_another_address_cannot_accept(client, invitation, person):
    client.force_login(person)

    for method in (client.get, client.post):
        response = method(_url(invitation))
        html = response.content.decode()
        assert response.status_code == 403
        assert "different e-mail address" in html
        assert "Norfolk Healthy Homes" not in html
    assert not Membership.objects.filter(user=person).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_service_refuses_a_second_use_and_a_wrong_user(invitation, person, partnership):
    with pytest.raises(InvitationWrongUserError):
        invitation_accept(invitation=invitation, user=person)

    invitation_accept(invitation=invitation, username="bob", password=NEW_PASSWORD)

    with pytest.raises(InvitationClosedError):
        invitation_accept(invitation=invitation, username="carol", password=NEW_PASSWORD)
    assert Membership.objects.filter(partnership=partnership).count() == 2  # admin + bob
    assert AuditEvent.objects.filter(action="join").count() == 1


def test_invitation_raises_an_existing_members_role_but_never_lowers_it(
    invitation, partnership, inviter
):
    bob = User.objects.create_user("bob", email="bob@norwich.example", password=PASSWORD)
    Membership.objects.create(partnership=partnership, user=bob, role=Role.VIEWER)

    membership = invitation_accept(invitation=invitation, user=bob)
    assert membership.role == Role.ANALYST

    lower = Invitation.objects.create(
        partnership=partnership, email=bob.email, role=Role.VIEWER, invited_by=inviter
    )
    assert invitation_accept(invitation=lower, user=bob).role == Role.ANALYST


def test_invitation_send_emails_a_link_that_works(client, invitation, partnership):
    request = RequestFactory().get("/", HTTP_HOST="tpi.example.org", secure=True)

    invitation_send(invitation=invitation, request=request)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Bob@Norwich.example"]
    assert "Norfolk Healthy Homes" in message.subject
    assert "representing Norfolk County Council" in message.body
    link = f"https://tpi.example.org/accounts/invitations/{invitation.token}/"
    assert link in message.body

    response = client.post(
        link.removeprefix("https://tpi.example.org"),
        {"username": "bob", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(partnership=partnership, user__username="bob").exists()


# --- the sign-in limit --------------------------------------------------------------------


def _fail(client, username, times, ip="127.0.0.1"):
    for _ in range(times):
        response = client.post(
            LOGIN, {"username": username, "password": "wrong-password"}, REMOTE_ADDR=ip
        )
        assert response.status_code == 200


def test_sixth_attempt_is_refused_even_with_the_right_password(client, person, settings):
    assert settings.TPI_LOGIN_FAILURE_LIMIT == 5
    _fail(client, "alice", 5, ip="10.0.0.1")

    # Another address, so only the username's count applies.
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in html
    assert 'role="alert"' in html
    assert _signed_in_id(client) is None


def test_limit_applies_to_every_authenticate_caller(person, api_client):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        assert authenticate(request, username="alice", password="nope") is None

    assert authenticate(request, username="alice", password=PASSWORD) is None
    token = api_client.post(
        reverse("api:auth-token"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.10",
    )
    assert token.status_code == 400
    assert "token" not in token.json()


def test_failures_at_the_token_endpoint_count_for_the_login_page(client, person, api_client):
    for _ in range(5):
        api_client.post(
            reverse("api:auth-token"),
            {"username": "alice", "password": "nope"},
            REMOTE_ADDR="10.1.1.1",
        )

    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.1.2"
    )

    assert "Too many failed sign-in attempts" in response.content.decode()


def test_an_address_that_failed_too_often_is_blocked_for_every_username(client, person):
    for name in ["bob", "carol", "dave", "erin", "frank"]:
        _fail(client, name, 1, ip="192.0.2.7")

    blocked = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    assert _signed_in_id(client) is None

    elsewhere = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.8"
    )
    assert elsewhere.status_code == 302


def test_success_resets_the_username_count_but_not_the_address_count(client, person):
    _fail(client, "alice", 4, ip="198.51.100.1")
    assert (
        client.post(
            LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="198.51.100.1"
        ).status_code
        == 302
    )
    client.post("/accounts/logout/")

    # Username count is back to zero: four more failures from elsewhere still let alice in.
    _fail(client, "alice", 4, ip="198.51.100.2")
    assert (
        client.post(
            LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="198.51.100.2"
        ).status_code
        == 302
    )
    client.post("/accounts/logout/")

    # The first address kept its four: one more failure, any username, blocks it.
    _fail(client, "someone-else", 1, ip="198.51.100.1")
    blocked = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="198.51.100.1"
    )
    assert "Too many failed sign-in attempts" in blocked.content.decode()


def test_refused_attempts_do_not_extend_the_lockout(
    person, monkeypatch, settings, local_memory_cache
):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        authenticate(request, username="alice", password="nope")
    start = time.time()

    monkeypatch.setattr(time, "time", lambda: start + 600)
    for _ in range(20):
        assert authenticate(request, username="alice", password=PASSWORD) is None

    monkeypatch.setattr(time, "time", lambda: start + settings.TPI_LOGIN_FAILURE_WINDOW + 1)
    assert authenticate(request, username="alice", password=PASSWORD) == person


def test_lockout_message_counts_down_and_the_window_expires(
    client, person, monkeypatch, local_memory_cache
):
    _fail(client, "alice", 5, ip="203.0.113.9")
    start = time.time()

    monkeypatch.setattr(time, "time", lambda: start + 14 * 60 + 10)
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert "Try again in 1 minute." in response.content.decode()

    monkeypatch.setattr(time, "time", lambda: start + 15 * 60 + 1)
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302


def test_limit_and_window_come_from_settings(person, settings):
    settings.TPI_LOGIN_FAILURE_LIMIT = 2
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.20")
    authenticate(request, username="alice", password="nope")
    assert authenticate(request, username="alice", password=PASSWORD) == person  # resets user
    authenticate(request, username="alice", password="nope")
    authenticate(request, username="alice", password="nope")
    assert authenticate(request, username="alice", password=PASSWORD) is None


def test_client_address_behind_a_trusted_proxy_cannot_be_spoofed(settings):
    factory = RequestFactory()
    spoofed = factory.get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23"
    )

    settings.TPI_TRUSTED_PROXY_COUNT = 0
    assert client_ip(spoofed) == "10.0.0.1"
    settings.TPI_TRUSTED_PROXY_COUNT = 1
    assert client_ip(spoofed) == "198.51.100.23"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


def test_admin_login_is_limited_too(client, person):
    person.is_staff = True
    person.save()
    _fail(client, "alice", 5, ip="203.0.113.30")

    response = client.post(
        reverse("admin:login"),
        {"username": "alice", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="203.0.113.31",
    )

    assert response.status_code == 200
    assert _signed_in_id(client) is None


# --- deployment settings ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "tpi_site.settings.production",
    "SECRET_KEY": "Zq8#x!p3rT9vLm2Kw7Yb4Nc6Hd1Fg5Js0Qa8XeRu2Tz9Wo4Bn7My3Lk6Vi1Pc",
    "ALLOWED_HOSTS": "tpi.example.org",
}
SETTINGS_DUMP = """
import json, django
django.setup()
from django.conf import settings as s
names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
         "SESSION_COOKIE_NAME", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE",
         "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "SECURE_PROXY_SSL_HEADER",
         "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "PASSWORD_HASHERS",
         "AUTH_PASSWORD_VALIDATORS", "AUTHENTICATION_BACKENDS", "TPI_TRUSTED_PROXY_COUNT",
         "SESSION_COOKIE_AGE"]
print(json.dumps({n: getattr(s, n) for n in names}))
"""


@pytest.fixture(scope="module")
def production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_DUMP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_http_only(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SESSION_COOKIE_AGE"] <= 60 * 60 * 12


def test_production_forces_https_and_safe_headers(production_settings):
    s = production_settings
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["TPI_TRUSTED_PROXY_COUNT"] == 1


def test_production_passwords_are_slow_hashed_and_validated(production_settings):
    s = production_settings
    assert s["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert not any("MD5" in h or "Unsalted" in h for h in s["PASSWORD_HASHERS"])
    validators = {v["NAME"].rsplit(".", 1)[-1]: v for v in s["AUTH_PASSWORD_VALIDATORS"]}
    assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 12
    assert {"CommonPasswordValidator", "UserAttributeSimilarityValidator"} <= set(validators)
    assert s["AUTHENTICATION_BACKENDS"] == ["partnerships.auth_backends.ThrottledModelBackend"]


def test_async_authenticate_is_limited_too(person):
    from asgiref.sync import async_to_sync
    from django.contrib.auth import aauthenticate

    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.40")
    for _ in range(5):
        assert async_to_sync(aauthenticate)(request, username="alice", password="nope") is None

    assert async_to_sync(aauthenticate)(request, username="alice", password=PASSWORD) is None
    assert authenticate(request, username="alice", password=PASSWORD) is None

"""Two partnerships cannot list, read, change or infer each other's objects.

``REGISTRY`` maps every named URL pattern of the site (admin aside) to how it is covered:

- ``Public(path)``: a page or endpoint that holds no partnership's private objects. It is
  fetched as a signed-out person, an outsider and a member of Alpha: no server error, and
  no private name of Bravo (nor, for the first two, of Alpha) in the body.
- ``Private(template, ...)``: a request aimed at Bravo's objects, made as Alpha's admin,
  as an outsider and signed out, and the same request for an object that does not exist
  (a "ghost"). Both must be refused (403/404, or a redirect to sign in) or empty, with the
  same status and the same body once the identifiers are swapped: nothing can be told
  apart, so nothing can be inferred. No private name of Bravo may appear.
- ``Listed(path)``: a list. Bravo's objects are absent for Alpha's members, and the count
  an outsider sees equals what Alpha's admin sees less Alpha's own objects.

``test_every_url_pattern_is_covered`` walks the resolver: a new URL pattern without an
entry here fails the suite, so every endpoint gets a permission test when it is added.
"""

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from openpyxl import load_workbook

from frameworks.models import Framework, FrameworkVersion
from indicators.models import Dataset
from partnerships.models import AuditEvent, Membership, Outcome
from tests.security.conftest import World

pytestmark = pytest.mark.django_db

EXCLUDED_PREFIXES = ("admin:",)  # Django's admin: staff only, its own permission system
GHOST_PK = "987654"
NORWICH = "E07000148"  # in both partnerships


def bravo_markers(world: World) -> list[str]:
    """Text that only Bravo's private objects can put in a response."""
    bravo = world.bravo
    return [
        "bravo",
        bravo.partnership.slug,
        bravo.partnership.name,
        bravo.dataset.slug,
        bravo.invitation.token,
    ]


def alpha_markers(world: World) -> list[str]:
    alpha = world.alpha
    return ["alpha", alpha.partnership.slug, alpha.partnership.name, alpha.dataset.slug]


# --- how a pattern is covered ----------------------------------------------------------

Value = Callable[[World], Any]


@dataclass(frozen=True)
class Public:
    """Holds nothing private; ``path`` is fetched to check that no private name leaks."""

    path: str | Callable[[World], str]
    method: str = "get"
    note: str = ""


@dataclass(frozen=True)
class Private:
    """``template`` filled with Bravo's identifiers, and with ghosts, must look the same.

    ``values`` maps each placeholder to (Bravo's value, the ghost's value); a placeholder
    holding one of Alpha's identifiers gets the same value twice (a cross-partnership
    request: Alpha's workspace, Bravo's object)."""

    template: str
    values: dict[str, tuple[Value, Value]]
    method: str = "get"
    data: dict[str, tuple[Value, Value]] = field(default_factory=dict)


@dataclass(frozen=True)
class Listed:
    path: str | Callable[[World], str]
    api: bool = True


Cover = Public | Private | Listed


def _const(value: Any) -> Value:
    return lambda world: value


# Bravo's identifiers and their ghosts.
B_SLUG = (lambda w: w.bravo.partnership.slug, _const("no-such-partnership"))
B_PK = (lambda w: w.bravo.partnership.pk, _const(GHOST_PK))
A_SLUG = (lambda w: w.alpha.partnership.slug, lambda w: w.alpha.partnership.slug)
B_DATASET = (lambda w: w.bravo.dataset.slug, _const("no-such-dataset"))
B_INDICATOR = (lambda w: w.bravo.indicator.slug, _const("no-such-indicator"))
B_RELEASE = (lambda w: w.bravo.release.pk, _const(GHOST_PK))
B_JOB = (lambda w: w.bravo.job.pk, _const(GHOST_PK))
B_FRAMEWORK = (lambda w: w.bravo.framework.key, _const("no-such-framework"))
A_FRAMEWORK = (lambda w: w.alpha.framework.key, lambda w: w.alpha.framework.key)
B_RUN = (lambda w: w.bravo.run.pk, _const(GHOST_PK))
B_OUTCOME = (lambda w: w.bravo.outcome.pk, _const(GHOST_PK))
B_MEMBER = (
    lambda w: Membership.objects.get(partnership=w.bravo.partnership, user=w.bravo.viewer).pk,
    _const(GHOST_PK),
)
B_VERSION = (_const(1), _const(1))
ANY = (_const("x"), _const("x"))


def score_probe(path: str, extra: str = "") -> Private:
    return Private(f"{path}?framework={{fw}}{extra}", {"fw": B_FRAMEWORK})


def partnership_probes(suffix: str, method: str = "get") -> list[Cover]:
    return [Private(f"/partnerships/{{slug}}/{suffix}", {"slug": B_SLUG}, method)]


def outcome_probes(suffix: str, method: str) -> list[Cover]:
    """Bravo's outcome in Bravo's workspace, and in Alpha's (its own id in another place)."""
    return [
        Private(f"/partnerships/{{slug}}/outcomes/{{pk}}/{suffix}", {"slug": s, "pk": B_OUTCOME}, m)
        for s in (B_SLUG, A_SLUG)
        for m in dict.fromkeys(("get", method))
    ]


def member_probes(suffix: str) -> list[Cover]:
    return [
        Private(f"/partnerships/{{slug}}/members/{{pk}}/{suffix}", {"slug": s, "pk": B_MEMBER}, m)
        for s in (B_SLUG, A_SLUG)
        for m in ("get", "post")
    ]


def framework_probes(suffix: str, methods: tuple[str, ...] = ("get",)) -> list[Cover]:
    return [Private(f"/frameworks/{{key}}/{suffix}", {"key": B_FRAMEWORK}, m) for m in methods]


def api_partnership_probes(suffix: str, methods: tuple[str, ...] = ("get",)) -> list[Cover]:
    return [Private(f"/api/partnerships/{{slug}}/{suffix}", {"slug": B_SLUG}, m) for m in methods]


def api_framework_probes(suffix: str, methods: tuple[str, ...] = ("get",)) -> list[Cover]:
    return [
        Private(f"/api/frameworks/{{key}}/{suffix}", {"key": B_FRAMEWORK, "v": B_VERSION}, m)
        for m in methods
    ]


REGISTRY: dict[str, list[Cover]] = {
    # --- schema and docs
    "api-schema": [Public("/api/schema/", note="the OpenAPI schema: structure, no rows")],
    "api-docs": [Public("/api/docs/")],
    "api-redoc": [Public("/api/redoc/")],
    "api:api-root": [Public("/api/")],
    # --- places API: the public ONS geography
    "api:place-list": [Public("/api/places/?q=Norwich")],
    "api:place-detail": [Public(f"/api/places/{NORWICH}/")],
    "api:place-boundary": [Public(f"/api/places/{NORWICH}/boundary/")],
    "api:code-change-list": [Public("/api/code-changes/")],
    "api:code-change-detail": [Public("/api/code-changes/1/")],
    # --- indicators API
    "api:indicator-list": [
        Listed("/api/indicators/?limit=1000"),
        Private("/api/indicators/?dataset={ds}", {"ds": B_DATASET}),
        Private("/api/indicators/?q={q}", {"q": B_INDICATOR}),
    ],
    "api:indicator-detail": [Private("/api/indicators/{slug}/", {"slug": B_INDICATOR})],
    "api:dataset-list": [Listed("/api/datasets/?limit=1000")],
    "api:dataset-detail": [Private("/api/datasets/{slug}/", {"slug": B_DATASET})],
    "api:release-list": [
        Listed("/api/releases/?limit=1000"),
        Private("/api/releases/?dataset={ds}", {"ds": B_DATASET}),
    ],
    "api:release-detail": [Private("/api/releases/{pk}/", {"pk": B_RELEASE})],
    "api:observation-list": [
        Listed("/api/observations/?current=false&limit=2000"),
        Private("/api/observations/?release={pk}", {"pk": B_RELEASE}),
        Private("/api/observations/?indicator={slug}", {"slug": B_INDICATOR}),
        Private("/api/observations/?dataset={ds}&place=E07000148", {"ds": B_DATASET}),
    ],
    "api:import-job-list": [
        Listed("/api/imports/"),
        Private("/api/imports/", {}, "post", data={"indicator": B_INDICATOR, "file": ANY}),
    ],
    "api:import-job-detail": [Private("/api/imports/{pk}/", {"pk": B_JOB})],
    # --- scores API
    "api:score-list": [score_probe("/api/scores/", f"&place={NORWICH}")],
    "api:score-drivers": [score_probe("/api/scores/drivers/", f"&place={NORWICH}")],
    "api:score-driver-changes": [
        score_probe("/api/scores/driver-changes/", f"&place={NORWICH}&from=2022&to=2023")
    ],
    "api:score-flags": [score_probe("/api/scores/flags/", f"&place={NORWICH}")],
    "api:rankings": [score_probe("/api/rankings/")],
    "api:scoring-run-list": [Listed("/api/scoring-runs/")],
    "api:scoring-run-detail": [Private("/api/scoring-runs/{pk}/", {"pk": B_RUN})],
    # --- partnerships API
    "api:partnership-list": [Listed("/api/partnerships/")],
    "api:partnership-detail": [
        Private("/api/partnerships/{slug}/", {"slug": B_SLUG}, m) for m in ("get", "patch")
    ],
    "api:partnership-member-list": api_partnership_probes("members/", ("get", "post")),
    "api:partnership-member-detail": [
        Private("/api/partnerships/{slug}/members/{pk}/", {"slug": s, "pk": B_MEMBER}, m)
        for s in (B_SLUG, A_SLUG)
        for m in ("get", "patch", "delete")
    ],
    "api:partnership-outcome-list": [
        *api_partnership_probes("outcomes/", ("get", "post")),
        Listed(lambda w: f"/api/partnerships/{w.alpha.partnership.slug}/outcomes/"),
    ],
    "api:partnership-outcome-detail": [
        Private("/api/partnerships/{slug}/outcomes/{pk}/", {"slug": s, "pk": B_OUTCOME}, m)
        for s in (B_SLUG, A_SLUG)
        for m in ("get", "patch", "delete")
    ],
    "api:partnership-outcome-publication": [
        Private(
            "/api/partnerships/{slug}/outcomes/{pk}/publication/", {"slug": s, "pk": B_OUTCOME}, m
        )
        for s in (B_SLUG, A_SLUG)
        for m in ("get", "post")
    ],
    "api:partnership-audit-event-list": [
        *api_partnership_probes("audit-events/"),
        Listed(lambda w: f"/api/partnerships/{w.alpha.partnership.slug}/audit-events/"),
    ],
    "api:organisation-list": [
        Public("/api/organisations/", note="the shared directory of organisations")
    ],
    "api:organisation-detail": [
        Public(lambda w: f"/api/organisations/{w.bravo.organisation.pk}/", note="directory")
    ],
    # --- frameworks API
    "api:framework-list": [Listed("/api/frameworks/")],
    "api:framework-detail": api_framework_probes("", ("get", "put", "patch")),
    "api:framework-version": api_framework_probes("versions/{v}/"),
    "api:framework-definition": api_framework_probes("definition/", ("get", "put")),
    "api:framework-publish": api_framework_probes("publish/", ("post",)),
    "api:framework-score": api_framework_probes("score/", ("post",)),
    "api:auth-token": [Public("/api/auth/token/", note="exchanges a password for a token")],
    # --- explorer
    "explorer:map": [
        Public("/map/"),
        *(score_probe("/map/", extra) for extra in ("", "&format=csv", "&format=xlsx")),
    ],
    "explorer:rankings": [
        Public("/rankings/"),
        *(score_probe("/rankings/", extra) for extra in ("", "&format=csv", "&format=xlsx")),
    ],
    "explorer:compare": [
        Public("/compare/?places=E07000148,E07000144"),
        score_probe("/compare/", "&places=E07000148,E07000144"),
    ],
    "explorer:drill-index": [Public("/drill/"), score_probe("/drill/")],
    "explorer:drill": [Public(f"/drill/{NORWICH}/"), score_probe(f"/drill/{NORWICH}/")],
    # --- accounts
    "accounts:login": [Public("/accounts/login/")],
    "accounts:logout": [Public("/accounts/logout/", method="post")],
    "accounts:password_change": [Public("/accounts/password-change/")],
    "accounts:password_change_done": [Public("/accounts/password-change/done/")],
    "accounts:password_reset": [Public("/accounts/password-reset/")],
    "accounts:password_reset_done": [Public("/accounts/password-reset/sent/")],
    "accounts:password_reset_confirm": [Public("/accounts/reset/MQ/set-password/")],
    "accounts:password_reset_complete": [Public("/accounts/reset/done/")],
    "accounts:invitation_accept": [
        Public(
            "/accounts/invitations/no-such-token/",
            note="a capability link: only the invited person's secret token opens it",
        )
    ],
    # --- partnership workspace
    "partnerships:list": [Listed("/partnerships/", api=False)],
    "partnerships:dashboard": partnership_probes(""),
    "partnerships:edit": partnership_probes("edit/") + partnership_probes("edit/", "post"),
    "partnerships:members": partnership_probes("members/") + partnership_probes("members/", "post"),
    "partnerships:member-role": member_probes("role/"),
    "partnerships:member-remove": member_probes("remove/"),
    "partnerships:outcomes": partnership_probes("outcomes/"),
    "partnerships:outcome-new": partnership_probes("outcomes/new/")
    + partnership_probes("outcomes/new/", "post"),
    "partnerships:outcome-edit": outcome_probes("edit/", "post"),
    "partnerships:outcome-delete": outcome_probes("delete/", "post"),
    "partnerships:outcome-publication": outcome_probes("publication/", "post"),
    "partnerships:audit": partnership_probes("audit/"),
    # --- frameworks
    "frameworks:list": [Listed("/frameworks/", api=False)],
    "frameworks:detail": framework_probes(""),
    "frameworks:edit": framework_probes("edit/", ("get", "post")),
    "frameworks:score": framework_probes("score/", ("get", "post")),
    "frameworks:publish": framework_probes("publish/", ("get", "post")),
    "frameworks:run": [
        Private("/frameworks/{key}/runs/{pk}/", {"key": k, "pk": B_RUN})
        for k in (B_FRAMEWORK, A_FRAMEWORK)
    ],
    "frameworks:new": partnership_probes("frameworks/new/")
    + partnership_probes("frameworks/new/", "post"),
    "frameworks:local-indicator-new": partnership_probes("indicators/new/")
    + partnership_probes("indicators/new/", "post"),
    "frameworks:local-indicator-upload": [
        Private("/partnerships/{slug}/indicators/{ind}/upload/", {"slug": s, "ind": B_INDICATOR}, m)
        for s in (B_SLUG, A_SLUG)
        for m in ("get", "post")
    ],
    # --- indicators pages
    "indicators:list": [
        Listed("/indicators/", api=False),
        Private("/indicators/?dataset={ds}", {"ds": B_DATASET}),
        Private("/indicators/?q={q}", {"q": B_INDICATOR}),
    ],
    "indicators:detail": [
        Private("/indicators/{slug}/", {"slug": B_INDICATOR}),
        Private(f"/indicators/{{slug}}/?place={NORWICH}", {"slug": B_INDICATOR}),
    ],
    "indicators:import-new": [
        Public("/imports/new/"),
        Private("/imports/new/", {}, "post", data={"indicator": B_INDICATOR, "file": ANY}),
    ],
    "indicators:template-csv": [Public("/imports/template.csv")],
    "indicators:template-xlsx": [Public("/imports/template.xlsx")],
    "indicators:import-detail": [Private("/imports/{pk}/", {"pk": B_JOB})],
    "indicators:import-rejected-csv": [Private("/imports/{pk}/rejected.csv", {"pk": B_JOB})],
    # --- places
    "places:home": [Public("/")],
    "places:list": [Public("/places/")],
    "places:detail": [
        Public(f"/places/{NORWICH}/"),
        *(score_probe(f"/places/{NORWICH}/", extra) for extra in ("", "&format=csv")),
    ],
}


# --- (a) every pattern is in the registry ----------------------------------------------


def _pattern_names(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _pattern_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}"
                if entry.name
                else f"{namespace}<unnamed {entry.pattern}>"
            )


def site_pattern_names() -> set[str]:
    return {
        name
        for name in _pattern_names(get_resolver().url_patterns)
        if not name.startswith(EXCLUDED_PREFIXES)
    }


def test_every_url_pattern_is_covered():
    names = site_pattern_names()
    missing = sorted(names - REGISTRY.keys())
    stale = sorted(REGISTRY.keys() - names)
    assert not missing, f"URL patterns without an isolation test in REGISTRY: {missing}"
    assert not stale, f"REGISTRY names no URL pattern: {stale}"
    assert all(REGISTRY[name] for name in names)


# --- requests ------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value=")[^"]+')


def _body(response: Any) -> str:
    """The text of a response (the cells of a workbook); CSRF tokens, which differ on
    every request, are blanked."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if raw[:2] == b"PK":  # an xlsx workbook: its cells
        workbook = load_workbook(io.BytesIO(raw), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join([*workbook.sheetnames, *cells])
    return CSRF_TOKEN.sub(r"\1", raw.decode("utf-8", errors="replace"))


def _request(client: Client, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    if method in {"put", "patch", "delete"}:
        return getattr(client, method)(
            path, json.dumps(data or {}), content_type="application/json"
        )
    if method == "post":
        return client.post(path, data or {})
    return client.get(path)


def _leaks(body: str, markers: list[str]) -> list[str]:
    lowered = body.lower()
    return [m for m in markers if m.lower() in lowered]


def _people(world: World) -> dict[str, Any]:
    return {
        "alpha admin": world.alpha.admin,
        "alpha viewer": world.alpha.viewer,
        "outsider": world.outsider,
        "signed out": None,
    }


def _covers(kind: type) -> list[tuple[str, int]]:
    return [
        (name, index)
        for name, covers in sorted(REGISTRY.items())
        for index, cover in enumerate(covers)
        if isinstance(cover, kind)
    ]


def _path(path: str | Callable[[World], str], world: World) -> str:
    return path(world) if callable(path) else path


@pytest.mark.parametrize(("name", "index"), _covers(Public))
def test_public_patterns_show_no_private_names(world, name, index):
    cover = REGISTRY[name][index]
    assert isinstance(cover, Public)
    path = _path(cover.path, world)
    for who, user in _people(world).items():
        response = _request(_client(user), cover.method, path)
        assert response.status_code < 500, (who, path)
        body = _body(response)
        assert not _leaks(body, bravo_markers(world)), (
            who,
            path,
            _leaks(body, bravo_markers(world)),
        )
        if not who.startswith("alpha"):
            assert not _leaks(body, alpha_markers(world)), (who, path)


def _snapshot(world: World) -> dict[str, Any]:
    """Bravo's state, to prove no request changed it."""
    bravo = world.bravo
    return {
        "audit": AuditEvent.objects.filter(partnership=bravo.partnership).count(),
        "members": sorted(
            Membership.objects.filter(partnership=bravo.partnership).values_list("user", "role")
        ),
        "outcomes": list(
            Outcome.objects.filter(partnership=bravo.partnership).values_list(
                "pk", "title", "is_published", "published_from"
            )
        ),
        "frameworks": list(
            Framework.objects.filter(partnership=bravo.partnership).values_list(
                "key", "name", "is_published"
            )
        ),
        "versions": FrameworkVersion.objects.filter(framework=bravo.framework).count(),
        "datasets": list(
            Dataset.objects.filter(partnership=bravo.partnership).values_list(
                "slug", "name", "is_published"
            )
        ),
        "partnership": (bravo.partnership.name, bravo.partnership.description),
    }


REFUSED = {301, 302, 400, 401, 403, 404, 405}


@pytest.mark.parametrize(("name", "index"), _covers(Private))
def test_private_patterns_treat_another_partnerships_objects_as_absent(world, name, index):
    cover = REGISTRY[name][index]
    assert isinstance(cover, Private)
    real = {key: str(bravo(world)) for key, (bravo, _) in cover.values.items()}
    ghost = {key: str(g(world)) for key, (_, g) in cover.values.items()}
    real_data = {key: str(bravo(world)) for key, (bravo, _) in cover.data.items()}
    ghost_data = {key: str(g(world)) for key, (_, g) in cover.data.items()}
    swaps = [
        (real[key], ghost[key])
        for key in cover.values
        if real[key] != ghost[key] and not real[key].isdigit()
    ]
    before = _snapshot(world)
    for who, user in _people(world).items():
        client = _client(user)
        path, ghost_path = cover.template.format(**real), cover.template.format(**ghost)
        response = _request(client, cover.method, path, real_data)
        ghost_response = _request(client, cover.method, ghost_path, ghost_data)
        body, ghost_body = _body(response), _body(ghost_response)
        for old, new in swaps:
            body = body.replace(old, new)
        where = f"{cover.method.upper()} {path} as {who}"
        assert response.status_code == ghost_response.status_code, where
        assert response.status_code in REFUSED or response.status_code == 200, where
        if response.status_code in {301, 302}:
            assert response["Location"].replace(path, ghost_path) == ghost_response["Location"]
        assert body == ghost_body, where
        assert not _leaks(body, bravo_markers(world)), (where, _leaks(body, bravo_markers(world)))
    assert _snapshot(world) == before, f"{name} changed Bravo's objects"


# --- (b) lists: Bravo's objects absent, counts as for an outsider ------------------------


def _items(response: Any) -> list[Any]:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def _mentions(item: Any, markers: list[str]) -> bool:
    return bool(_leaks(json.dumps(item, default=str), markers))


@pytest.mark.parametrize(("name", "index"), _covers(Listed))
def test_lists_hide_other_partnerships_and_count_alike(world, name, index):
    cover = REGISTRY[name][index]
    assert isinstance(cover, Listed)
    path = _path(cover.path, world)
    seen = {who: _request(_client(user), "get", path) for who, user in _people(world).items()}
    for who, response in seen.items():
        assert response.status_code < 500, (who, path)
        body = _body(response)
        assert not _leaks(body, bravo_markers(world)), (
            who,
            path,
            _leaks(body, bravo_markers(world)),
        )
        if not who.startswith("alpha"):
            assert not _leaks(body, alpha_markers(world)), (who, path)
    if not cover.api or seen["outsider"].status_code != 200:
        return
    alpha_items = _items(seen["alpha admin"])
    outsider_items = _items(seen["outsider"])
    own = [item for item in alpha_items if _mentions(item, alpha_markers(world))]
    assert len(alpha_items) - len(own) == len(outsider_items), path
    alpha_data, outsider_data = seen["alpha admin"].json(), seen["outsider"].json()
    if isinstance(alpha_data, dict) and "count" in alpha_data:
        assert alpha_data["count"] - len(own) == outsider_data["count"], path
    # And from Bravo's side: its own objects are all that it sees beyond the outsider.
    bravo_items = _items(_request(_client(world.bravo.admin), "get", path))
    bravo_own = [item for item in bravo_items if _mentions(item, bravo_markers(world))]
    assert len(bravo_items) - len(bravo_own) == len(outsider_items), path
    assert not any(_mentions(item, alpha_markers(world)) for item in bravo_items), path


def test_alpha_lists_its_own_objects(world):
    """The lists are not simply empty: Alpha's admin sees Alpha's private objects."""
    client = _client(world.alpha.admin)
    alpha = world.alpha
    assert alpha.dataset.slug in _body(client.get("/api/datasets/"))
    assert alpha.indicator.slug in _body(client.get("/api/indicators/"))
    assert str(alpha.run.pk) in {str(run["id"]) for run in _items(client.get("/api/scoring-runs/"))}
    observations = _items(client.get(f"/api/observations/?indicator={alpha.indicator.slug}"))
    assert len(observations) == len(alpha.places) * 2
    assert [job["id"] for job in _items(client.get("/api/imports/"))] == [alpha.job.pk]
    assert client.get(f"/api/scores/?framework={alpha.framework.key}").status_code == 200


# --- (c) exports -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "path",
    [
        "/map/?framework={key}&reference_set=E-lower_tier",
        "/rankings/?framework={key}&reference_set=E-lower_tier",
        f"/places/{NORWICH}/?framework={{key}}",
    ],
)
def test_exports_of_alphas_framework_hold_no_bravo_data(world, path, fmt):
    client = _client(world.alpha.admin)
    response = client.get(path.format(key=world.alpha.framework.key) + f"&format={fmt}")
    body = _body(response)

    assert response.status_code == 200
    assert "alpha homes with damp" in body.lower() or NORWICH in body  # Alpha's own scores
    assert not _leaks(body, bravo_markers(world))
    for who in ("outsider", "signed out"):
        refused = _client(_people(world)[who]).get(
            path.format(key=world.alpha.framework.key) + f"&format={fmt}"
        )
        assert refused.status_code == 404, who


def test_import_reports_are_private_to_the_partnership(world):
    bravo_job = world.bravo.job
    for user in (world.alpha.admin, world.outsider):
        client = _client(user)
        assert client.get(f"/imports/{bravo_job.pk}/rejected.csv").status_code == 404
    bravo_client = _client(world.bravo.viewer)
    assert bravo_client.get(f"/imports/{bravo_job.pk}/rejected.csv").status_code == 200


# --- (d) signed out: the baseline and what is published ----------------------------------


def test_signed_out_people_see_the_baseline_and_published_objects_only(world):
    alpha = world.alpha
    anonymous = Client()
    before = {d["slug"] for d in _items(anonymous.get("/api/datasets/"))}
    assert not _leaks(json.dumps(sorted(before)), alpha_markers(world) + bravo_markers(world))
    assert anonymous.get(f"/api/scores/?framework={alpha.framework.key}").status_code == 404

    Dataset.objects.filter(pk=alpha.dataset.pk).update(is_published=True)
    Framework.objects.filter(pk=alpha.framework.pk).update(is_published=True)

    after = {d["slug"] for d in _items(anonymous.get("/api/datasets/"))}
    assert after == before | {alpha.dataset.slug}
    assert anonymous.get(f"/api/indicators/{alpha.indicator.slug}/").status_code == 200
    assert anonymous.get(f"/api/scores/?framework={alpha.framework.key}").status_code == 200
    assert anonymous.get(f"/map/?framework={alpha.framework.key}").status_code == 200
    assert anonymous.get(f"/api/scores/?framework={world.bravo.framework.key}").status_code == 404
    assert anonymous.get(f"/api/indicators/{world.bravo.indicator.slug}/").status_code == 404
    # Published is readable, never writable, by outsiders.
    outsider = _client(world.outsider)
    assert outsider.post(f"/frameworks/{alpha.framework.key}/publish/").status_code in {403, 404}
    assert outsider.post(f"/api/frameworks/{alpha.framework.key}/score/").status_code in {
        401,
        403,
        404,
    }


# --- (e) publication from a future date ------------------------------------------------------


def test_publication_from_a_future_date_stays_private_until_then(world, monkeypatch):
    bravo = world.bravo
    start = timezone.localdate() + timedelta(days=30)
    Dataset.objects.filter(pk=bravo.dataset.pk).update(is_published=True, published_from=start)
    Framework.objects.filter(pk=bravo.framework.pk).update(is_published=True, published_from=start)
    paths = [
        f"/api/datasets/{bravo.dataset.slug}/",
        f"/api/scores/?framework={bravo.framework.key}",
        f"/map/?framework={bravo.framework.key}",
        f"/places/{NORWICH}/?framework={bravo.framework.key}",
    ]
    for user in (None, world.alpha.admin):
        client = _client(user)
        assert [client.get(path).status_code for path in paths] == [404] * len(paths)

    from partnerships import visibility

    monkeypatch.setattr(visibility, "_today", lambda: start)
    for user in (None, world.alpha.admin):
        client = _client(user)
        assert [client.get(path).status_code for path in paths] == [200] * len(paths)


# Probes that reach Bravo's object the same way for its own members as for a ghost: the
# page ignores what the probe names (say so here, with the reason, rather than drop it).
NOT_SPECIFIC: dict[tuple[str, int], str] = {
    ("explorer:drill-index", 1): "the drill-down shows the index only; ?framework is ignored",
    ("explorer:drill", 1): "the drill-down shows the index only; ?framework is ignored",
}


@pytest.mark.parametrize(("name", "index"), _covers(Private))
def test_private_probes_reach_a_real_object_for_its_owners(world, name, index):
    """Control: Bravo's own admin gets something other than the ghost's answer, so each
    probe above really aims at one of Bravo's objects (reads only: nothing is changed)."""
    cover = REGISTRY[name][index]
    assert isinstance(cover, Private)
    if cover.method != "get":
        pytest.skip("writes are not replayed as the owner")
    if (name, index) in NOT_SPECIFIC:
        pytest.skip(NOT_SPECIFIC[(name, index)])
    real = {key: str(bravo(world)) for key, (bravo, _) in cover.values.items()}
    ghost = {key: str(g(world)) for key, (_, g) in cover.values.items()}
    if any(real[key] == ghost[key] for key in real if key != "v"):
        pytest.skip("Bravo's object in Alpha's workspace: refused to Bravo too")
    client = _client(world.bravo.admin)
    response = client.get(cover.template.format(**real))
    ghost_response = client.get(cover.template.format(**ghost))
    if response.status_code == 405:
        pytest.skip("the pattern takes no GET; the write probes cover it")
    assert response.status_code < 500
    assert (response.status_code, _body(response)) != (
        ghost_response.status_code,
        _body(ghost_response),
    )


# --- a visible bespoke framework gets the index's pages --------------------------------------


def test_a_members_bespoke_framework_has_the_same_pages_as_the_index(world):
    alpha = world.alpha
    client = _client(alpha.viewer)
    key = alpha.framework.key

    map_page = _body(client.get(f"/map/?framework={key}&reference_set=E-lower_tier"))
    rankings = client.get(f"/rankings/?framework={key}&reference_set=E-lower_tier")
    compare = _body(
        client.get(f"/compare/?framework={key}&places={NORWICH},E07000144&tier=lower_tier")
    )
    place = _body(client.get(f"/places/{NORWICH}/?framework={key}"))

    assert "Alpha healthy housing map" in map_page
    assert 'value="alpha-warm-homes"' in map_page  # node choices come from its run
    assert f'name="framework" value="{key}"' in map_page  # the filters keep it
    assert [row.place.code for row in rankings.context["rows"]][:1] == ["E07000143"]
    assert "Alpha warm homes" in compare and "Broadland" in compare
    assert "Alpha healthy housing" in place and "Alpha homes with damp" in place
    drivers = client.get(f"/api/scores/drivers/?framework={key}&place={NORWICH}").json()
    assert {d["slot_key"] for d in drivers["results"]} == {"alpha-damp-slot"}

"""Bespoke frameworks: a partnership composes its own tree from the index's indicators and
its own local ones, then scores it with the same engine as the index.

Services here are the only writers of bespoke frameworks (pages and the API call them).
Every service checks the person's role in the owning partnership (``require_role``: 404 to
outsiders, 403 to members whose role is too low) and records an audit event in the same
transaction.

Lifecycle: ``bespoke_framework_create`` makes the framework with *no version*; the first
``bespoke_framework_save`` makes version 1 and each later save that changes the
definition makes the next one. Old versions stay, and so do the scores computed with
them. The definition has the index's shape (see ``frameworks/definitions/README.md``):
``{"id", "name", "description", "headlines": [{"key", "label", "weight", "domains": [...]}]}``
where a domain holds either ``slots`` or ``subdomains`` (which hold ``slots``), and a slot
is ``{"key", "label", "indicator": slug, "polarity", "weight"}``. The builder shows a
bespoke framework as one headline whose domains are "groups".
"""

import copy
import math
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify

from frameworks.models import Framework, FrameworkVersion
from frameworks.services import POLARITY, framework_sync_definition
from indicators.models import Dataset, Indicator, Polarity
from partnerships.audit import audit_record, field_changes
from partnerships.models import Partnership, Role
from partnerships.visibility import require_role
from scoring.models import ScoringRun

PATH_SEPARATOR = " › "
HEADLINE_KEY = "overall"
MAX_KEY_LENGTH = 120
MAX_LABEL_LENGTH = 300
MAX_WEIGHT = 1000.0
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class BespokeDefinitionError(ValueError):
    """The definition cannot be saved; ``problems`` lists every reason, one a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- Reads used by the services (and the builder) --------------------------------------


def indicators_available_to(partnership: Partnership) -> QuerySet[Indicator]:
    """National indicators (no owning partnership) plus this partnership's own local ones.

    Another partnership's indicators are never available, even when published: a bespoke
    framework must not depend on data its owner cannot control.
    """
    return (
        Indicator.objects.filter(
            Q(dataset__partnership__isnull=True) | Q(dataset__partnership=partnership)
        )
        .select_related("dataset")
        .order_by("name")
    )


def latest_version(framework: Framework) -> FrameworkVersion | None:
    return framework.versions.order_by("-version").first()


def empty_definition(framework: Framework) -> dict[str, Any]:
    """What the builder starts from before the first save: one headline, no groups."""
    return {
        "id": framework.key,
        "name": framework.name,
        "description": framework.description,
        "headlines": [{"key": HEADLINE_KEY, "label": framework.name, "weight": 1, "domains": []}],
    }


def current_definition(framework: Framework) -> dict[str, Any]:
    version = latest_version(framework)
    if version is None:
        return empty_definition(framework)
    return copy.deepcopy(version.definition)


def unique_key(base: str, taken: set[str], *, fallback: str = "item") -> str:
    """A slug from ``base`` that is not in ``taken`` (adds -2, -3…); adds it to ``taken``."""
    stem = (slugify(base) or fallback)[: MAX_KEY_LENGTH - 4]
    key, number = stem, 1
    while key in taken:
        number += 1
        key = f"{stem}-{number}"
    taken.add(key)
    return key


def definition_keys(definition: dict[str, Any]) -> set[str]:
    """Every key used in a definition (headlines, groups, subgroups and slots)."""
    keys: set[str] = set()
    for headline in definition.get("headlines") or []:
        keys.add(str(headline.get("key", "")))
        for domain in headline.get("domains") or []:
            keys.add(str(domain.get("key", "")))
            for sub in domain.get("subdomains") or []:
                keys.add(str(sub.get("key", "")))
                keys.update(str(s.get("key", "")) for s in sub.get("slots") or [])
            keys.update(str(s.get("key", "")) for s in domain.get("slots") or [])
    keys.discard("")
    return keys


# --- Validation --------------------------------------------------------------------------


def _weight_problem(value: Any) -> str | None:
    if value is None:
        return None  # defaults to 1
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "weight must be a number"
    if not math.isfinite(float(value)) or float(value) <= 0:
        return "weight must be greater than 0"
    if float(value) > MAX_WEIGHT:
        return f"weight must be at most {MAX_WEIGHT:g}"
    return None


def _label_of(item: Any, fallback: str) -> str:
    if isinstance(item, dict):
        label = item.get("label") or item.get("key")
        if isinstance(label, str) and label.strip():
            return label.strip()
    return fallback


def bespoke_definition_problems(definition: Any, *, partnership: Partnership) -> list[str]:
    """Every problem in a definition, each prefixed by the path to it ("Group › Item: …").

    An indicator the partnership may not use gets exactly the message of one that does not
    exist, so nothing can be learnt about other partnerships' data.
    """
    if not isinstance(definition, dict):
        return ["The definition must be an object with a list of headlines."]
    problems: list[str] = []
    available = set(indicators_available_to(partnership).values_list("slug", flat=True))
    seen: dict[str, str] = {}

    def check_node(item: Any, path: str, kind: str) -> bool:
        if not isinstance(item, dict):
            problems.append(f"{path}: each {kind} must be an object")
            return False
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key) or len(key) > MAX_KEY_LENGTH:
            problems.append(
                f"{path}: key {key!r} must be lower-case letters, digits, '-' or '_' "
                f"(at most {MAX_KEY_LENGTH} characters)"
            )
        elif key in seen:
            problems.append(f"{path}: key {key!r} is used twice (also at {seen[key]})")
        else:
            seen[key] = path
        label = item.get("label")
        if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL_LENGTH):
            problems.append(
                f"{path}: the name must be text of at most {MAX_LABEL_LENGTH} characters"
            )
        elif isinstance(label, str) and not label.strip():
            problems.append(f"{path}: the name is empty")
        if problem := _weight_problem(item.get("weight")):
            problems.append(f"{path}: {problem}")
        return True

    def check_slots(slots: Any, path: str) -> int:
        if slots is None:
            return 0
        if not isinstance(slots, list):
            problems.append(f"{path}: slots must be a list")
            return 0
        for position, slot in enumerate(slots, start=1):
            slot_path = f"{path}{PATH_SEPARATOR}{_label_of(slot, f'indicator {position}')}"
            if not check_node(slot, slot_path, "indicator"):
                continue
            slug = slot.get("indicator")
            if not isinstance(slug, str) or not slug:
                problems.append(f"{slot_path}: choose an indicator")
            elif slug not in available:
                problems.append(f"{slot_path}: indicator {slug!r} not found")
            if slot.get("polarity") not in POLARITY:
                problems.append(
                    f"{slot_path}: polarity must be higher_better or lower_better "
                    f"(got {slot.get('polarity')!r})"
                )
            if slot.get("derived"):
                problems.append(f"{slot_path}: derived measures cannot be used here")
        return len(slots)

    headlines = definition.get("headlines")
    if not isinstance(headlines, list) or not headlines:
        return ["The definition needs at least one headline (the framework's overall score)."]
    total_slots = 0
    for h_pos, headline in enumerate(headlines, start=1):
        h_path = _label_of(headline, f"headline {h_pos}")
        if not check_node(headline, h_path, "headline"):
            continue
        domains = headline.get("domains") or []
        if not isinstance(domains, list):
            problems.append(f"{h_path}: domains must be a list")
            continue
        if not domains:
            problems.append(f"{h_path}: add at least one group")
        for d_pos, domain in enumerate(domains, start=1):
            d_path = _label_of(domain, f"group {d_pos}")
            if not check_node(domain, d_path, "group"):
                continue
            subdomains = domain.get("subdomains") or []
            slots = domain.get("slots") or []
            if subdomains and slots:
                problems.append(
                    f"{d_path}: holds both indicators and subgroups; move its indicators "
                    "into a subgroup or remove the subgroups"
                )
            if not isinstance(subdomains, list):
                problems.append(f"{d_path}: subdomains must be a list")
                continue
            count = check_slots(slots, d_path)
            for s_pos, sub in enumerate(subdomains, start=1):
                s_path = f"{d_path}{PATH_SEPARATOR}{_label_of(sub, f'subgroup {s_pos}')}"
                if not check_node(sub, s_path, "subgroup"):
                    continue
                if isinstance(sub, dict) and sub.get("subdomains"):
                    problems.append(f"{s_path}: subgroups cannot hold further subgroups")
                sub_count = check_slots(sub.get("slots"), s_path)
                if not sub_count:
                    problems.append(f"{s_path}: add at least one indicator")
                count += sub_count
            if not count:
                problems.append(f"{d_path}: add at least one indicator")
            total_slots += count
    return problems


def _normalise(definition: dict[str, Any], framework: Framework) -> dict[str, Any]:
    """The stored form: the framework's id, name and description; weights as floats."""
    clean = copy.deepcopy(definition)
    clean["id"] = framework.key
    clean["name"] = str(clean.get("name") or framework.name).strip()[:200]
    clean["description"] = str(clean.get("description") or "").strip()
    clean["source"] = framework.source

    def weigh(item: dict[str, Any]) -> None:
        weight = item.get("weight")
        item["weight"] = 1.0 if weight is None else float(weight)

    for headline in clean["headlines"]:
        weigh(headline)
        for domain in headline.get("domains") or []:
            weigh(domain)
            for slot in domain.get("slots") or []:
                weigh(slot)
            for sub in domain.get("subdomains") or []:
                weigh(sub)
                for slot in sub.get("slots") or []:
                    weigh(slot)
    return clean


# --- Writes ------------------------------------------------------------------------------


@transaction.atomic
def bespoke_framework_create(
    *, partnership: Partnership, name: str, description: str = "", actor: Any
) -> Framework:
    """A new, private framework owned by the partnership, with no version until saved."""
    require_role(actor, partnership.pk, Role.ANALYST)
    name = " ".join(name.split())[:200]
    if not name:
        raise BespokeDefinitionError(["Give the framework a name."])
    stem = f"{partnership.slug}-{slugify(name) or 'framework'}"[:76]
    key, number = stem, 1
    while Framework.objects.filter(key=key).exists():
        number += 1
        key = f"{stem}-{number}"
    framework = Framework.objects.create(
        key=key,
        name=name,
        description=description.strip(),
        source=f"Built by {partnership.name} in the framework builder.",
        is_index=False,
        partnership=partnership,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        partnership_id=partnership.pk,
        action="create",
        obj=framework,
        changes={"key": [None, key], "name": [None, name]},
    )
    return framework


@transaction.atomic
def bespoke_framework_save(
    *, framework: Framework, definition: dict[str, Any], actor: Any
) -> tuple[FrameworkVersion, bool]:
    """Validate and store; a new version only when the definition changed.

    Returns (version, created). Raises ``BespokeDefinitionError`` listing every problem.
    """
    require_role(actor, framework.partnership_id, Role.ANALYST)
    assert framework.partnership is not None  # require_role refuses the baseline
    problems = bespoke_definition_problems(definition, partnership=framework.partnership)
    if problems:
        raise BespokeDefinitionError(problems)
    clean = _normalise(definition, framework)
    before = {"name": framework.name, "description": framework.description}
    previous = latest_version(framework)
    version, created = framework_sync_definition(clean, is_index=False)
    framework.refresh_from_db()
    if created:
        audit_record(
            actor=actor,
            partnership_id=framework.partnership_id,
            action="update" if previous else "create",
            obj=framework,
            changes={
                "version": [previous.version if previous else None, version.version],
                **field_changes(
                    before, {"name": framework.name, "description": framework.description}
                ),
            },
        )
    return version, created


@transaction.atomic
def bespoke_framework_publish(
    *, framework: Framework, is_published: bool, published_from: date | None, actor: Any
) -> Framework:
    """Publish (optionally from a date) or withdraw; admins only."""
    require_role(actor, framework.partnership_id, Role.ADMIN)
    before = {"is_published": framework.is_published, "published_from": framework.published_from}
    framework.is_published = bool(is_published)
    framework.published_from = published_from if is_published else None
    framework.save(update_fields=["is_published", "published_from"])
    changes = field_changes(
        before, {"is_published": framework.is_published, "published_from": framework.published_from}
    )
    if changes:
        audit_record(
            actor=actor,
            partnership_id=framework.partnership_id,
            action="publish" if framework.is_published else "unpublish",
            obj=framework,
            changes=changes,
        )
    return framework


@transaction.atomic
def bespoke_framework_score(*, framework: Framework, actor: Any) -> ScoringRun:
    """Queue scoring of the latest version for every English council (the reference sets
    the engine standardises over); the run's page follows its status."""
    from frameworks.tasks import bespoke_scoring_task
    from scoring.adapters import COUNCILS
    from scoring.services import scoring_run_create

    require_role(actor, framework.partnership_id, Role.ANALYST)
    version = latest_version(framework)
    if version is None:
        raise BespokeDefinitionError(["Save the framework before scoring it."])
    run = scoring_run_create(version=version, scope=COUNCILS)
    audit_record(
        actor=actor,
        partnership_id=framework.partnership_id,
        action="score",
        obj=framework,
        changes={"version": [None, version.version], "run": [None, run.pk]},
    )
    run_id = run.pk
    transaction.on_commit(lambda: bespoke_scoring_task.delay(run_id), robust=True)
    return run


# --- Local indicators -------------------------------------------------------------------


def local_indicators_of(partnership: Partnership) -> QuerySet[Indicator]:
    """The partnership's local indicators: each is the only indicator of its own dataset.

    A local series is a publication released over time, so each indicator gets a dataset of
    its own; an upload for one then never makes another's figures non-current.
    """
    return Indicator.objects.filter(
        dataset__partnership=partnership, dataset__is_local=True
    ).select_related("dataset")


@transaction.atomic
def local_indicator_create(
    *,
    partnership: Partnership,
    name: str,
    unit: str = "",
    polarity: str = Polarity.LOWER_IS_BETTER,
    description: str = "",
    actor: Any,
) -> Indicator:
    """Define a local indicator in a dataset of its own (same slug); data come by upload."""
    require_role(actor, partnership.pk, Role.ANALYST)
    name = " ".join(name.split())[:300]
    if not name:
        raise BespokeDefinitionError(["Give the indicator a name."])
    if polarity not in Polarity.values:
        raise BespokeDefinitionError([f"Unknown polarity {polarity!r}."])
    words = (
        (slugify(name) or "indicator")[:60].rsplit("-", 1)[0]
        if len(slugify(name)) > 60
        else (slugify(name) or "indicator")
    )
    stem = f"{partnership.slug}-{words}"[:112].rstrip("-")  # room for "-N" in a dataset slug
    slug, number = stem, 1
    while (
        Indicator.objects.filter(slug=slug).exists() or Dataset.objects.filter(slug=slug).exists()
    ):
        number += 1
        slug = f"{stem}-{number}"
    dataset = Dataset.objects.create(
        slug=slug,
        name=name[:200],
        publisher=partnership.name,
        description=f"{name}: defined and uploaded by {partnership.name}.",
        is_local=True,
        partnership=partnership,
    )
    indicator = Indicator.objects.create(
        slug=slug,
        dataset=dataset,
        name=name,
        source_key=slug,
        description=description.strip(),
        unit=unit.strip()[:120],
        polarity=polarity,
        source_organisation=partnership.name,
        geography_levels=["lower_tier", "upper_tier"],
    )
    audit_record(
        actor=actor,
        partnership_id=partnership.pk,
        action="create",
        obj=indicator,
        changes={"slug": [None, slug], "name": [None, name], "polarity": [None, polarity]},
    )
    return indicator

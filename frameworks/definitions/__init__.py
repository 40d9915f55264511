"""Declarative framework definitions shipped as JSON files beside this module.

Pure Python (no Django): the scoring engine, management commands and tests all read the
same files. ``load_definition("tpi_2024")`` returns the TPI 2024 tree,
``load_definition("equality_gaps")`` the derived equality gap measures. Both are
checked on load, so a malformed file fails loudly instead of scoring silently wrong.

Note for packaging: the JSON files must be shipped as package data
(``"frameworks.definitions" = ["*.json"]``) for non-editable installs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, NamedTuple

POLARITIES = frozenset({"higher_better", "lower_better"})
TRANSFORMS = frozenset({"none", "log"})
TIERS = frozenset({"upper_tier", "lower_tier"})
GAP_OPERATIONS = frozenset({"difference", "absolute_difference"})
GAP_ALIGNMENTS = frozenset({"same_period", "period_end_year"})
SLOT_FIELDS = frozenset(
    {"key", "label", "indicator", "polarity", "transform", "stands_in_for", "tiers", "note"}
)
GAP_FIELDS = frozenset({"slug", "name", "formula", "inputs", "polarity", "unit", "note"})

_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class SlotRef(NamedTuple):
    """One indicator slot with its position in the tree (subdomain is None for leaf domains)."""

    headline: Mapping[str, Any]
    domain: Mapping[str, Any]
    subdomain: Mapping[str, Any] | None
    slot: Mapping[str, Any]


def available_definitions() -> list[str]:
    """Names accepted by :func:`load_definition`, e.g. ``["equality_gaps", "tpi_2024"]``."""
    root = resources.files(__name__)
    return sorted(
        entry.name.removesuffix(".json") for entry in root.iterdir() if entry.name.endswith(".json")
    )


def load_definition(name: str) -> dict[str, Any]:
    """Load and validate a definition by name: ``tpi_2024``, ``tpi-2024`` or ``tpi_2024.json``."""
    stem = name.removesuffix(".json").replace("-", "_")
    if not _NAME.match(stem):
        raise ValueError(f"Invalid definition name {name!r}.")
    resource = resources.files(__name__).joinpath(f"{stem}.json")
    if not resource.is_file():
        raise FileNotFoundError(
            f"No framework definition {name!r}; available: {', '.join(available_definitions())}."
        )
    data = json.loads(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"Definition {name!r} must be a JSON object.")
    if "gaps" in data:
        validate_gap_definitions(data)
    else:
        validate_framework(data)
    return data


def iter_slots(framework: Mapping[str, Any]) -> Iterator[SlotRef]:
    """Every slot of a framework in tree order."""
    for headline in framework["headlines"]:
        for domain in headline["domains"]:
            for slot in domain.get("slots", []):
                yield SlotRef(headline, domain, None, slot)
            for subdomain in domain.get("subdomains", []):
                for slot in subdomain.get("slots", []):
                    yield SlotRef(headline, domain, subdomain, slot)


def validate_framework(framework: Mapping[str, Any]) -> None:
    """Raise ValueError listing every structural problem in a framework definition."""
    problems: list[str] = []
    for field in ("id", "version", "name", "source", "headlines"):
        if field not in framework:
            problems.append(f"missing top-level field {field!r}")
    if problems:
        raise ValueError("; ".join(problems))
    if not isinstance(framework["version"], int) or framework["version"] < 1:
        problems.append("version must be a positive integer")
    if not isinstance(framework["source"], str) or not framework["source"].strip():
        problems.append("source must be a non-empty citation string")

    seen: set[str] = set()

    def node_key(node: Mapping[str, Any], where: str) -> str:
        key = node.get("key")
        if not isinstance(key, str) or not key:
            problems.append(f"{where}: missing key")
            return "?"
        if key in seen:
            problems.append(f"{where}: duplicate key {key!r}")
        seen.add(key)
        if not node.get("label"):
            problems.append(f"{key}: missing label")
        return key

    for headline in framework["headlines"]:
        hkey = node_key(headline, "headline")
        if not headline.get("question"):
            problems.append(f"{hkey}: missing question")
        if not headline.get("domains"):
            problems.append(f"{hkey}: no domains")
        for domain in headline.get("domains", []):
            dkey = node_key(domain, hkey)
            has_slots, has_subs = "slots" in domain, "subdomains" in domain
            if has_slots == has_subs:
                problems.append(f"{dkey}: needs exactly one of 'slots' or 'subdomains'")
            for subdomain in domain.get("subdomains", []):
                skey = node_key(subdomain, dkey)
                if not subdomain.get("slots"):
                    problems.append(f"{skey}: no slots")
            if has_slots and not domain["slots"]:
                problems.append(f"{dkey}: no slots")

    for ref in iter_slots(framework):
        slot = ref.slot
        key = node_key(slot, "slot")
        missing = SLOT_FIELDS - slot.keys()
        if missing:
            problems.append(f"{key}: missing {sorted(missing)}")
            continue
        if slot["polarity"] not in POLARITIES:
            problems.append(f"{key}: polarity {slot['polarity']!r}")
        if slot["transform"] not in TRANSFORMS:
            problems.append(f"{key}: transform {slot['transform']!r}")
        tiers = slot["tiers"]
        if not isinstance(tiers, list) or not set(tiers) <= TIERS or len(set(tiers)) != len(tiers):
            problems.append(f"{key}: tiers {tiers!r}")
        indicator = slot["indicator"]
        if indicator is None:
            if tiers:
                problems.append(f"{key}: an empty slot cannot cover tiers")
        elif not isinstance(indicator, str) or not indicator:
            problems.append(f"{key}: indicator must be a slug or null")
        if not slot["note"]:
            problems.append(f"{key}: missing note")
    if problems:
        raise ValueError("; ".join(problems))


def validate_gap_definitions(definitions: Mapping[str, Any]) -> None:
    """Raise ValueError listing every problem in an equality-gap definition file."""
    problems: list[str] = []
    seen: set[str] = set()
    for gap in definitions.get("gaps", []):
        slug = gap.get("slug", "?")
        missing = GAP_FIELDS - gap.keys()
        if missing:
            problems.append(f"{slug}: missing {sorted(missing)}")
            continue
        if slug in seen:
            problems.append(f"{slug}: duplicate slug")
        seen.add(slug)
        inputs = gap["inputs"]
        if not isinstance(inputs, list) or len(inputs) != 2 or len(set(inputs)) != 2:
            problems.append(f"{slug}: inputs must be two distinct indicator slugs")
            continue
        if gap["polarity"] != "lower_better":
            problems.append(f"{slug}: an equality gap is lower_better")
        if gap.get("operation", "difference") not in GAP_OPERATIONS:
            problems.append(f"{slug}: operation {gap.get('operation')!r}")
        if gap.get("align", "same_period") not in GAP_ALIGNMENTS:
            problems.append(f"{slug}: align {gap.get('align')!r}")
        if "period_from" in gap and gap["period_from"] not in inputs:
            problems.append(f"{slug}: period_from must be one of its inputs")
        if not set(gap.get("missing_inputs", [])) <= set(inputs):
            problems.append(f"{slug}: missing_inputs must be among its inputs")
    if problems:
        raise ValueError("; ".join(problems))

"""Writes for frameworks: turn a declarative definition into a stored, versioned tree."""

import hashlib
import json
from typing import Any

from django.db import transaction

from frameworks.models import Framework, FrameworkNode, FrameworkVersion, NodeLevel
from indicators.models import Indicator

POLARITY = {"higher_better": 1, "lower_better": -1}


class FrameworkDefinitionError(ValueError):
    """The definition does not describe a valid tree."""


def _definition_checksum(definition: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


def _weight(item: dict[str, Any]) -> float:
    """A node's relative weight among its siblings (1 when not given, as in the index)."""
    weight = item.get("weight")
    if weight is None:
        return 1.0
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        raise FrameworkDefinitionError(f"{item.get('key')}: weight must be a number above 0")
    return float(weight)


def _slot_nodes(
    version: FrameworkVersion,
    parent_key: str,
    slots: list[dict[str, Any]],
    indicators: dict[str, int],
    position: list[int],
) -> list[FrameworkNode]:
    nodes = []
    for slot in slots:
        polarity = POLARITY.get(slot.get("polarity", ""))
        if polarity is None:
            raise FrameworkDefinitionError(
                f"slot {slot['key']}: polarity must be higher_better or lower_better"
            )
        slug = slot.get("indicator")
        derived = bool(slot.get("derived"))
        indicator_id = None
        if slug and not derived:
            indicator_id = indicators.get(slug)
            if indicator_id is None:
                raise FrameworkDefinitionError(
                    f"slot {slot['key']}: indicator {slug!r} is not in the catalogue "
                    "(import its dataset first)"
                )
        position[0] += 1
        nodes.append(
            FrameworkNode(
                version=version,
                key=slot["key"],
                parent_key=parent_key,
                level=NodeLevel.INDICATOR,
                label=slot.get("label") or slot["key"],
                position=position[0],
                indicator_id=indicator_id,
                derived_key=slug if derived and slug else "",
                polarity=polarity,
                weight=_weight(slot),
                transform=slot.get("transform") or "none",
                stands_in_for=slot.get("stands_in_for") or "",
                note=slot.get("note") or "",
            )
        )
    return nodes


def _tree_nodes(version: FrameworkVersion, definition: dict[str, Any]) -> list[FrameworkNode]:
    indicators = dict(Indicator.objects.values_list("slug", "pk"))
    position = [0]
    nodes: list[FrameworkNode] = []

    def add(key: str, parent: str, level: str, item: dict[str, Any]) -> None:
        position[0] += 1
        nodes.append(
            FrameworkNode(
                version=version,
                key=key,
                parent_key=parent,
                level=level,
                label=item.get("label") or key,
                position=position[0],
                description=item.get("question") or item.get("description") or "",
                weight=_weight(item),
            )
        )

    for headline in definition["headlines"]:
        add(headline["key"], "", NodeLevel.HEADLINE, headline)
        for domain in headline.get("domains", []):
            add(domain["key"], headline["key"], NodeLevel.DOMAIN, domain)
            if domain.get("subdomains"):
                for subdomain in domain["subdomains"]:
                    add(subdomain["key"], domain["key"], NodeLevel.SUBDOMAIN, subdomain)
                    nodes += _slot_nodes(
                        version, subdomain["key"], subdomain.get("slots", []), indicators, position
                    )
            else:
                nodes += _slot_nodes(
                    version, domain["key"], domain.get("slots", []), indicators, position
                )
    keys = [n.key for n in nodes]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise FrameworkDefinitionError(f"duplicate keys in the definition: {duplicates}")
    return nodes


@transaction.atomic
def framework_sync_definition(
    definition: dict[str, Any], *, is_index: bool = False
) -> tuple[FrameworkVersion, bool]:
    """Store a definition; a new version only when it differs from the latest one.

    Returns (version, created). Only the fields the definition describes are updated:
    a bespoke framework's owner, publication state and author are never touched here.
    """
    checksum = _definition_checksum(definition)
    framework, _ = Framework.objects.update_or_create(
        key=definition["id"],
        defaults={
            "name": definition.get("name", definition["id"]),
            "description": definition.get("description", ""),
            "source": definition.get("source", ""),
            "is_index": is_index,
        },
    )
    latest = framework.versions.order_by("-version").first()
    if latest is not None and latest.checksum == checksum:
        return latest, False
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=(latest.version + 1) if latest else 1,
        definition=definition,
        checksum=checksum,
    )
    FrameworkNode.objects.bulk_create(_tree_nodes(version, definition))
    return version, True

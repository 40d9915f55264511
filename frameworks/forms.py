"""Forms for the framework pages, and the builder's draft: the definition being edited.

The builder works without JavaScript: the whole draft travels in a hidden field, every
button posts the page, and the server applies the visible fields and the button's action
to the draft before showing it again. Only "Save" writes, through
``frameworks.bespoke.bespoke_framework_save``, which validates everything again.
"""

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict

from frameworks.bespoke import HEADLINE_KEY, definition_keys, unique_key
from indicators.models import Indicator, Polarity

MAX_DRAFT_BYTES = 200_000
POLARITY_CHOICES = [
    ("higher_better", "Higher is better"),
    ("lower_better", "Lower is better"),
]
PATH = re.compile(r"^g(?P<group>\d+)(?:s(?P<sub>\d+))?(?:-i(?P<slot>\d+))?$")


class FrameworkCreateForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, help_text="e.g. Healthy housing")
    description = forms.CharField(
        label="What it is for",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Optional: the question the partnership wants it to answer.",
    )


class LocalIndicatorForm(forms.Form):
    name = forms.CharField(label="Name", max_length=300)
    unit = forms.CharField(
        label="Unit", max_length=120, required=False, help_text="e.g. %, rate per 1,000 homes"
    )
    polarity = forms.ChoiceField(
        label="Which direction is better?",
        choices=[(v, label) for v, label in Polarity.choices],
        initial=Polarity.LOWER_IS_BETTER,
    )
    description = forms.CharField(
        label="Description and source",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="What it measures and where the figures come from.",
    )


class LocalUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="CSV or Excel (.xlsx) in the local-data format: place, indicator, period, "
        "value (and optionally lower_ci, upper_ci, numerator, denominator, status, note).",
    )

    def clean_file(self) -> UploadedFile:
        from indicators.views import upload_problem

        uploaded: UploadedFile = self.cleaned_data["file"]
        if problem := upload_problem(uploaded):
            raise forms.ValidationError(problem)
        return uploaded


class PublishForm(forms.Form):
    is_published = forms.BooleanField(label="Published: visible to everyone", required=False)
    published_from = forms.DateField(
        label="From (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to publish at once.",
    )


# --- The builder's draft ---------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    group: int
    sub: int | None = None
    slot: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Path | None":
        match = PATH.match(text or "")
        if not match:
            return None
        sub, slot = match.group("sub"), match.group("slot")
        return cls(
            int(match.group("group")),
            int(sub) if sub is not None else None,
            int(slot) if slot is not None else None,
        )


def group_path(group: int, sub: int | None = None) -> str:
    return f"g{group}" + (f"s{sub}" if sub is not None else "")


def slot_path(group: int, sub: int | None, slot: int) -> str:
    return f"{group_path(group, sub)}-i{slot}"


class Draft:
    """The definition being edited; the builder edits the first headline's groups."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = copy.deepcopy(definition)
        headlines = self.definition.setdefault("headlines", [])
        if not headlines:
            headlines.append({"key": HEADLINE_KEY, "label": self.definition.get("name", "")})
        headlines[0].setdefault("domains", [])
        self.messages: list[str] = []

    @classmethod
    def from_post(cls, data: QueryDict, fallback: dict[str, Any]) -> "Draft":
        text = data.get("draft", "")
        try:
            loaded = json.loads(text) if 0 < len(text) <= MAX_DRAFT_BYTES else None
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("headlines"), list):
            draft = cls(fallback)
            draft.messages.append("The draft could not be read; the saved version is shown.")
            return draft
        return cls(loaded)

    # Reading ------------------------------------------------------------------------

    @property
    def headline(self) -> dict[str, Any]:
        headline: dict[str, Any] = self.definition["headlines"][0]
        return headline

    @property
    def groups(self) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = self.headline["domains"]
        return groups

    def json(self) -> str:
        return json.dumps(self.definition, separators=(",", ":"))

    def container(self, path: Path) -> dict[str, Any] | None:
        """The group or subgroup a path names (None when it does not exist)."""
        if not 0 <= path.group < len(self.groups):
            return None
        group = self.groups[path.group]
        if path.sub is None:
            return group
        subs = group.get("subdomains") or []
        return subs[path.sub] if 0 <= path.sub < len(subs) else None

    def targets(self) -> list[tuple[str, str]]:
        """(path, label) of every place an indicator can be added."""
        found = []
        for g, group in enumerate(self.groups):
            subs = group.get("subdomains") or []
            if not subs:
                found.append((group_path(g), group.get("label") or group.get("key", "")))
            for s, sub in enumerate(subs):
                found.append(
                    (group_path(g, s), f"{group.get('label', '')} › {sub.get('label', '')}")
                )
        return found

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows for the template: groups, subgroups and indicator slots with paths."""
        rows: list[dict[str, Any]] = []

        def slot_rows(container: dict[str, Any], g: int, s: int | None, depth: int) -> None:
            for i, slot in enumerate(container.get("slots") or []):
                rows.append(
                    {"kind": "slot", "path": slot_path(g, s, i), "item": slot, "depth": depth}
                )

        for g, group in enumerate(self.groups):
            rows.append({"kind": "group", "path": group_path(g), "item": group, "depth": 0})
            slot_rows(group, g, None, 1)
            for s, sub in enumerate(group.get("subdomains") or []):
                rows.append({"kind": "subgroup", "path": group_path(g, s), "item": sub, "depth": 1})
                slot_rows(sub, g, s, 2)
        return rows

    # Editing ------------------------------------------------------------------------

    def apply_fields(self, data: QueryDict) -> None:
        """Copy the visible fields (names, weights, polarity) onto the draft."""
        if "name" in data:
            self.definition["name"] = str(data.get("name", "")).strip()[:200]
            self.headline["label"] = self.definition["name"]
        if "description" in data:
            self.definition["description"] = str(data.get("description", "")).strip()
        for row in self.rows():
            prefix, item = row["path"], row["item"]
            label = data.get(f"{prefix}-label")
            if label is not None:
                item["label"] = " ".join(label.split())[:300]
            weight = data.get(f"{prefix}-weight")
            if weight is not None:
                item["weight"] = _number(weight)
            polarity = data.get(f"{prefix}-polarity")
            if row["kind"] == "slot" and polarity is not None:
                item["polarity"] = polarity

    def add_group(self, label: str, parent: str = "") -> None:
        label = " ".join(label.split())[:300]
        if not label:
            self.messages.append("Type a name for the new group first.")
            return
        key = unique_key(label, definition_keys(self.definition), fallback="group")
        if not parent:
            self.groups.append({"key": key, "label": label, "weight": 1, "slots": []})
            self.messages.append(f"Group “{label}” added.")
            return
        path = Path.parse(parent)
        group = self.container(Path(path.group)) if path else None
        if group is None:
            self.messages.append("Choose the group the subgroup belongs to.")
            return
        if group.get("slots"):
            self.messages.append(
                f"“{group.get('label')}” holds indicators directly; a group has either "
                "indicators or subgroups. Remove its indicators first."
            )
            return
        group.setdefault("subdomains", []).append(
            {"key": key, "label": label, "weight": 1, "slots": []}
        )
        group.pop("slots", None)
        self.messages.append(f"Subgroup “{label}” added to “{group.get('label')}”.")

    def add_indicator(self, indicator: Indicator | None, target: str) -> None:
        if indicator is None:
            self.messages.append("Choose an indicator from the list first.")
            return
        path = Path.parse(target)
        container = self.container(path) if path and path.slot is None else None
        if container is None or (container.get("subdomains") and path and path.sub is None):
            self.messages.append("Choose the group to add the indicator to.")
            return
        polarity = (
            indicator.polarity
            if indicator.polarity in {"higher_better", "lower_better"}
            else "higher_better"
        )
        key = unique_key(indicator.slug, definition_keys(self.definition), fallback="indicator")
        container.setdefault("slots", []).append(
            {
                "key": key,
                "label": indicator.name[:300],
                "indicator": indicator.slug,
                "polarity": polarity,
                "weight": 1,
            }
        )
        note = "" if indicator.polarity == polarity else " (neutral in the catalogue: check)"
        self.messages.append(
            f"“{indicator.name}” added to “{container.get('label')}”, "
            f"{dict(POLARITY_CHOICES)[polarity].lower()}{note}."
        )

    def remove(self, text: str) -> None:
        path = Path.parse(text)
        if path is None:
            return
        if path.slot is not None:
            container = self.container(Path(path.group, path.sub))
            slots = (container or {}).get("slots") or []
            if 0 <= path.slot < len(slots):
                removed = slots.pop(path.slot)
                self.messages.append(f"“{removed.get('label')}” removed.")
            return
        if path.sub is not None:
            group = self.container(Path(path.group))
            subs = (group or {}).get("subdomains") or []
            if 0 <= path.sub < len(subs):
                removed = subs.pop(path.sub)
                self.messages.append(f"Subgroup “{removed.get('label')}” removed.")
            return
        if 0 <= path.group < len(self.groups):
            removed = self.groups.pop(path.group)
            self.messages.append(f"Group “{removed.get('label')}” removed.")


def _number(text: str) -> Any:
    """A float when the text is a number, else the text (validation then says why)."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return text.strip()

"""Vectorised validation of tidy observation rows (pandas only, no Django).

A source adapter turns any file into chunks of *tidy rows* (one observation a row, every
cell still text, with the source line number). ``validate_chunk`` checks a chunk against
lookups built once per import and splits it into accepted rows (typed, ready to write) and
rejected rows, each with its line, column and a reason a person can act on.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from indicators.periods import FINANCIAL_YEAR, PeriodError, parse_period

TIDY_COLUMNS = [
    "line",
    "place",
    "indicator",
    "period",
    "value",
    "lower_ci",
    "upper_ci",
    "numerator",
    "denominator",
    "status",
    "note",
    "scope",
    "file",
]
OUTPUT_COLUMNS = [
    "indicator_id",
    "place_id",
    "period_start",
    "period_end",
    "period_type",
    "value",
    "lower_ci",
    "upper_ci",
    "numerator",
    "denominator",
    "status",
    "note",
    "source_file",
    "source_line",
]

# Markers that publishers use for a withheld or unavailable value: recorded as suppressed.
SUPPRESSION_MARKERS = frozenset(
    {"*", "c", "..", ":", "n/a", "na", "x", "[x]", "[c]", "[z]", "z", "-", "~", "[u]", "#"}
)
STATUS_CODES = {
    "x": "suppressed",
    "c": "suppressed",
    "z": "suppressed",
    "[x]": "suppressed",
    "[c]": "suppressed",
    "[z]": "suppressed",
    "suppressed": "suppressed",
    "missing value": "suppressed",
    "u": "unreliable",
    "[u]": "unreliable",
    "unreliable": "unreliable",
    "p": "provisional",
    "provisional": "provisional",
    "e": "estimated",
    "estimated": "estimated",
    "": "",
    "normal value": "",
}
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
COUNCIL_WORDS = re.compile(
    r"\b(the|council|borough|city|county|metropolitan|district|royal|london|of|mbc|mdc|"
    r"lb|bc|dc|ua|rb|cc|mb|md)\b"
)


def normalise_council_name(name: str) -> str:
    """'Bradford City MDC (MBC)' and 'City of Bradford Metropolitan District Council' →
    'bradford': the fallback match when a name is not in the lookup as written."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[^a-z ]+", " ", text)
    text = COUNCIL_WORDS.sub(" ", text)
    return " ".join(text.split())


MAX_NOTE = 500


@dataclass(frozen=True)
class PlaceInfo:
    code: str
    name: str
    end_year: int | None
    successor: str | None  # set when the code changed but the area did not
    retired_note: str = ""


@dataclass
class Lookups:
    """Everything validation needs, built once per import from the database."""

    places: dict[str, PlaceInfo]
    names: dict[str, str]  # lower-cased name variant → GSS code
    indicators: dict[str, int]  # source key → indicator id
    indicator_bounds: dict[int, tuple[float | None, float | None, str]]
    blank_value_is_missing: bool = False
    split_year: str = FINANCIAL_YEAR
    out_of_scope_prefixes: dict[str, str] = field(default_factory=dict)


@dataclass
class Rejection:
    line: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


class DuplicateTracker:
    """Remembers (indicator, place, period) keys across chunks in sorted numpy arrays.

    Memory is 16 bytes a row (key and line), so 5 million rows need about 80 MB.
    """

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.int64)
        self._lines = np.empty(0, dtype=np.int64)
        self._pending_keys: list[np.ndarray] = []
        self._pending_lines: list[np.ndarray] = []
        self._pending = 0

    def _merge(self) -> None:
        if not self._pending_keys:
            return
        keys = np.concatenate([self._keys, *self._pending_keys])
        lines = np.concatenate([self._lines, *self._pending_lines])
        order = np.argsort(keys, kind="stable")
        self._keys, self._lines = keys[order], lines[order]
        self._pending_keys, self._pending_lines, self._pending = [], [], 0

    def first_lines(self, keys: np.ndarray) -> np.ndarray:
        """For each key, the line that already holds it, or 0."""
        self._merge()
        if not len(self._keys):
            return np.zeros(len(keys), dtype=np.int64)
        index = np.searchsorted(self._keys, keys)
        index = np.minimum(index, len(self._keys) - 1)
        found = self._keys[index] == keys
        return np.where(found, self._lines[index], 0)

    def add(self, keys: np.ndarray, lines: np.ndarray) -> None:
        self._pending_keys.append(keys.astype(np.int64))
        self._pending_lines.append(lines.astype(np.int64))
        self._pending += len(keys)


class PeriodCache:
    """Each distinct period text parsed once; lookups by text are then vectorised maps."""

    def __init__(self, split_year: str) -> None:
        self.split_year = split_year
        self.starts: dict[str, date] = {}
        self.ends: dict[str, date] = {}
        self.kinds: dict[str, str] = {}
        self.start_years: dict[str, int] = {}
        self.starts_iso: dict[str, str] = {}
        self.ends_iso: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.ids: dict[str, int] = {}
        self._interval_ids: dict[tuple[date, date], int] = {}

    def parse(self, values: Iterable[str]) -> None:
        for text in values:
            if text in self.starts or text in self.errors:
                continue
            try:
                period = parse_period(text, split_year=self.split_year)
            except PeriodError as error:
                self.errors[text] = str(error)
                continue
            self.starts[text] = period.start
            self.ends[text] = period.end
            self.kinds[text] = period.kind
            self.start_years[text] = period.start.year
            self.starts_iso[text] = period.start.isoformat()
            self.ends_iso[text] = period.end.isoformat()
            interval = (period.start, period.end)
            self.ids[text] = self._interval_ids.setdefault(interval, len(self._interval_ids))


class ChunkValidator:
    """Validates chunk after chunk of one import, keeping state that spans chunks."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.periods = PeriodCache(lookups.split_year)
        self.duplicates = DuplicateTracker()
        self.place_index = {code: i for i, code in enumerate(sorted(lookups.places))}
        bounds = lookups.indicator_bounds
        self.lows = {pk: b[0] for pk, b in bounds.items() if b[0] is not None}
        self.highs = {pk: b[1] for pk, b in bounds.items() if b[1] is not None}
        self.units = {pk: b[2] for pk, b in bounds.items()}
        # Only names that stay unambiguous once normalised are used as a fallback.
        normalised: dict[str, set[str]] = {}
        for name, code in lookups.names.items():
            normalised.setdefault(normalise_council_name(name), set()).add(code)
        self.normalised_names = {
            key: next(iter(codes)) for key, codes in normalised.items() if len(codes) == 1 and key
        }
        self.end_years = {
            c: i.end_year for c, i in lookups.places.items() if i.end_year is not None
        }
        self.successors = {c: i.successor for c, i in lookups.places.items() if i.successor}
        self.retired_messages = {
            c: (
                f"code {c} ({i.name}) was retired after {i.end_year}{i.retired_note}; "
                "a retired area cannot stand for its successor"
            )
            for c, i in lookups.places.items()
            if i.end_year is not None
        }

    def validate(self, chunk: pd.DataFrame) -> tuple[pd.DataFrame, list[Rejection]]:
        frame = chunk.reindex(columns=TIDY_COLUMNS, fill_value="")
        frame = frame.astype(object).where(frame.notna(), "")
        for name in TIDY_COLUMNS[1:]:
            frame[name] = frame[name].astype(str).str.strip()
        lines = frame["line"].astype(np.int64).to_numpy()
        n = len(frame)
        reason: np.ndarray = np.full(n, "", dtype=object)
        column = np.full(n, "", dtype=object)
        bad_value = np.full(n, "", dtype=object)

        def reject(
            mask: np.ndarray,
            col: str,
            values: pd.Series,
            message: str | pd.Series | Callable[[], pd.Series],
        ) -> None:
            """Record the first reason for each newly failing row. A message that depends on
            the row is passed as a callable, so it is only built when some row fails."""
            fresh = mask & (reason == "")
            if not fresh.any():
                return
            column[fresh] = col
            bad_value[fresh] = values.to_numpy()[fresh]
            if callable(message):
                message = message()
            reason[fresh] = message.to_numpy()[fresh] if isinstance(message, pd.Series) else message

        lookups = self.lookups

        # Place: a GSS code, or a council name the mySociety lookup knows.
        raw_place = frame["place"]
        upper = raw_place.str.upper()
        is_code = (
            upper.str.match(GSS_CODE.pattern).to_numpy()
            | upper.str.match(r"^[A-Z]\w{2}\d{6}$").to_numpy()
        )
        by_name = _map(raw_place.str.lower(), lookups.names)
        unmatched = by_name.isna() & (raw_place != "") & ~pd.Series(is_code, index=frame.index)
        if unmatched.any():
            fallback = raw_place[unmatched].map(
                lambda n: self.normalised_names.get(normalise_council_name(n))
            )
            by_name = by_name.where(~unmatched, fallback)
        code = pd.Series(np.where(is_code, upper, by_name.fillna("")), index=frame.index)
        known = _map(code, self.place_index).notna().to_numpy()
        scope = frame["scope"].where(
            frame["scope"] != "",
            _text(_map(upper.str[:3], lookups.out_of_scope_prefixes)),
        )
        reject(raw_place.to_numpy() == "", "place", raw_place, "place is empty")
        # A row the source marks as out of scope (another geography, a breakdown we do
        # not hold) is reported with the source's reason.
        reject((scope != "").to_numpy(), "place", raw_place, scope)
        reject(~known & is_code, "place", raw_place, lambda: "unknown place code " + upper)
        reject(
            ~known & ~is_code,
            "place",
            raw_place,
            lambda: "unknown place name '" + raw_place + "' (give a GSS code or a council name)",
        )

        # Indicator.
        indicator_id = _map(frame["indicator"], lookups.indicators)
        reject(
            indicator_id.isna().to_numpy(),
            "indicator",
            frame["indicator"],
            lambda: (
                "unknown indicator '"
                + frame["indicator"]
                + "' (use the slug of an indicator in the catalogue)"
            ),
        )

        # Period: parse each distinct text once, then map.
        period_text = frame["period"]
        self.periods.parse(period_text.unique())
        periods = Factorized(period_text)
        period_error = _text(periods.map(self.periods.errors))
        reject((period_error != "").to_numpy(), "period", period_text, period_error)
        ok_period = (period_error == "").to_numpy()
        start = periods.map(self.periods.starts_iso)
        end = periods.map(self.periods.ends_iso)
        kind = _text(periods.map(self.periods.kinds))
        period_id = periods.map(self.periods.ids).fillna(-1).astype(np.int64)

        # Retired codes: same area under a new code is moved on; a merged or abolished
        # area cannot stand for its successor.
        start_year = periods.map(self.periods.start_years).fillna(0).astype(np.int64)
        codes = Factorized(code)
        end_year = codes.map(self.end_years).fillna(9999).astype(np.int64)
        retired = known & ok_period & (start_year > end_year).to_numpy()
        successor = codes.map(self.successors)
        moved = retired & successor.notna().to_numpy()
        code = code.where(~moved, successor)
        reject(
            retired & ~moved,
            "place",
            raw_place,
            lambda: (
                _text(codes.map(self.retired_messages))
                + " (the period starts in "
                + start_year.astype(str)
                + ")"
            ),
        )

        # Value and status.
        status_text = frame["status"].str.lower()
        mapped_status = _map(status_text, STATUS_CODES)
        note = frame["note"].where(mapped_status.notna(), frame["note"] + " " + frame["status"])
        status = mapped_status.fillna("")
        value_text = frame["value"]
        lowered = value_text.str.lower()
        marker = lowered.isin(SUPPRESSION_MARKERS).to_numpy()
        empty = (value_text == "").to_numpy()
        if lookups.blank_value_is_missing:
            marker = marker | empty
        else:
            # A blank value is only accepted when the status says it was withheld.
            reject(
                empty & (status != "suppressed").to_numpy(),
                "value",
                value_text,
                "value is empty; write a suppression marker such as c, .., :, * or n/a "
                "if it is withheld",
            )
            marker = marker | empty
        value = pd.to_numeric(value_text.where(~marker & ~empty), errors="coerce")
        not_number = (~marker & ~empty & (value.isna() | ~np.isfinite(value))).to_numpy()
        reject(
            not_number, "value", value_text, lambda: "value '" + value_text + "' is not a number"
        )
        status = status.where(~pd.Series(marker, index=frame.index) | (status != ""), "suppressed")

        indicators = Factorized(indicator_id)
        low = indicators.map(self.lows).astype(float)
        high = indicators.map(self.highs).astype(float)
        unit = _text(indicators.map(self.units))
        outside = ((value < low) | (value > high)).fillna(False).to_numpy()
        reject(
            outside,
            "value",
            value_text,
            lambda: (
                "value "
                + value_text
                + " is impossible for "
                + unit
                + " (allowed "
                + low.map(_fmt)
                + " to "
                + high.map(_fmt)
                + ")"
            ),
        )

        numbers = {}

        def not_a_number(label: str, text: pd.Series) -> Callable[[], pd.Series]:
            return lambda: label + " '" + text + "' is not a number"

        for name in ("lower_ci", "upper_ci", "numerator", "denominator"):
            text = frame[name]
            parsed_number = pd.to_numeric(text.where(text != ""), errors="coerce")
            reject(
                ((text != "") & parsed_number.isna()).to_numpy(),
                name,
                text,
                not_a_number(name.replace("_", " "), text),
            )
            numbers[name] = parsed_number
        lci, uci = numbers["lower_ci"], numbers["upper_ci"]
        reject(
            (lci > uci).fillna(False).to_numpy(),
            "lower_ci",
            frame["lower_ci"],
            lambda: (
                "lower limit " + frame["lower_ci"] + " is above upper limit " + frame["upper_ci"]
            ),
        )
        reject(
            ((value < lci) | (value > uci)).fillna(False).to_numpy(),
            "value",
            value_text,
            lambda: "value " + value_text + " lies outside its own interval",
        )
        reject(
            (numbers["denominator"] == 0).fillna(False).to_numpy(),
            "denominator",
            frame["denominator"],
            "denominator is zero",
        )

        # Duplicates: same indicator, place and period twice in this import.
        candidate = reason == ""
        keys = np.zeros(n, dtype=np.int64)
        if candidate.any():
            keys[candidate] = self._keys(
                indicator_id[candidate], code[candidate], period_id[candidate]
            )
            cand_lines = lines[candidate]
            cand_keys = keys[candidate]
            earlier = self.duplicates.first_lines(cand_keys)
            first_in_chunk = pd.Series(cand_lines).groupby(cand_keys).transform("min").to_numpy()
            dup_line = np.where(
                earlier > 0, earlier, np.where(first_in_chunk < cand_lines, first_in_chunk, 0)
            )
            dup_mask = np.zeros(n, dtype=bool)
            dup_mask[candidate] = dup_line > 0
            dup_lines_full = np.zeros(n, dtype=np.int64)
            dup_lines_full[candidate] = dup_line
            reject(
                dup_mask,
                "period",
                frame["period"],
                lambda: pd.Series(dup_lines_full, index=frame.index).map(
                    lambda first: f"duplicate of line {first} (same place, indicator and period)"
                ),
            )
            accepted_mask = reason == ""
            self.duplicates.add(keys[accepted_mask], lines[accepted_mask])

        accepted = reason == ""
        rejections = [
            Rejection(int(line), str(col), str(val)[:200], str(why))
            for line, col, val, why in zip(
                lines[~accepted],
                column[~accepted],
                bad_value[~accepted],
                reason[~accepted],
                strict=True,
            )
        ]
        out = pd.DataFrame(
            {
                "indicator_id": indicator_id[accepted].astype(np.int64),
                "place_id": code[accepted],
                "period_start": start[accepted],
                "period_end": end[accepted],
                "period_type": kind[accepted],
                "value": value[accepted],
                "lower_ci": lci[accepted],
                "upper_ci": uci[accepted],
                "numerator": numbers["numerator"][accepted],
                "denominator": numbers["denominator"][accepted],
                "status": status[accepted],
                "note": note[accepted].str.strip().str.slice(0, MAX_NOTE),
                "source_file": pd.to_numeric(frame["file"][accepted], errors="coerce")
                .fillna(0)
                .astype(np.int64),
                "source_line": lines[accepted],
            }
        )
        return out, rejections

    def _keys(self, indicator_id: pd.Series, code: pd.Series, period_id: pd.Series) -> np.ndarray:
        places = _map(code, self.place_index).fillna(0).astype(np.int64).to_numpy()
        indicators = indicator_id.astype(np.int64).to_numpy()
        return (indicators << 40) | (period_id.to_numpy() << 20) | places


class Factorized:
    """A column split once into distinct values and codes, for many dictionary lookups."""

    def __init__(self, series: pd.Series) -> None:
        self.index = series.index
        self.codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.uniques = pd.Series(uniques)
        self.missing = (self.codes < 0).any()

    def map(self, mapping: dict[Any, Any]) -> pd.Series:
        looked_up = self.uniques.map(mapping).to_numpy()
        if not len(looked_up):
            return pd.Series(np.full(len(self.codes), np.nan), index=self.index)
        result = np.take(looked_up, self.codes)
        if self.missing:
            result = np.where(self.codes < 0, np.nan, result)
        return pd.Series(result, index=self.index)


def _map(series: pd.Series, mapping: dict[Any, Any]) -> pd.Series:
    """``series.map(mapping)`` through the distinct values: a column of millions of rows
    holds a few thousand places and a handful of periods, so look each up once."""
    return Factorized(series).map(mapping)


def _text(series: pd.Series) -> pd.Series:
    """Map results as text, with '' where the map found nothing."""
    return series.astype(object).where(series.notna(), "")


def _fmt(number: float) -> str:
    if number != number:  # NaN: no bound
        return "any"
    return f"{number:g}"

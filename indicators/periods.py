"""Periods as real intervals: parse the forms statistics publish, label them, sort them.

Pure Python (no Django): a period is a closed interval of dates plus a type that says how
to read it. ISO-8601 forms from ONS (``2022-04-01/P1Y``, ``2020-01-01/P3Y``, a date) and
the forms people type in spreadsheets (``2023``, ``2023/24``, ``2021-2023``, ``2023 Q2``,
``2023-05``) all become the same thing, so periods from different sources compare.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache


class PeriodError(ValueError):
    """Text that is not a period we can place on a calendar."""


CALENDAR_YEAR = "calendar_year"
FINANCIAL_YEAR = "financial_year"
ACADEMIC_YEAR = "academic_year"
TWELVE_MONTHS = "twelve_months"
MULTI_YEAR = "multi_year"
QUARTER = "quarter"
MONTH = "month"
DAY = "date"

PERIOD_TYPES = {
    CALENDAR_YEAR: "Calendar year",
    FINANCIAL_YEAR: "Financial year (April to March)",
    ACADEMIC_YEAR: "Academic year (September to August)",
    TWELVE_MONTHS: "Twelve months",
    MULTI_YEAR: "Pooled years",
    QUARTER: "Quarter",
    MONTH: "Month",
    DAY: "Date",
}


@dataclass(frozen=True, order=True)
class Period:
    """A closed interval [start, end] of days; ordering is by start then end."""

    start: date
    end: date
    kind: str

    @property
    def label(self) -> str:
        return period_label(self.start, self.end, self.kind)

    @property
    def midpoint(self) -> date:
        return self.start + (self.end - self.start) / 2

    def overlaps(self, other: "Period") -> bool:
        return self.start <= other.end and other.start <= self.end


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _span(start: date, years: int = 0, months: int = 0, days: int = 0) -> date:
    """Last day of a span beginning on ``start``."""
    return _add_months(start, years * 12 + months) + timedelta(days=days) - timedelta(days=1)


def _year_kind(start: date, years: int) -> str:
    if years > 1:
        return MULTI_YEAR
    if (start.month, start.day) == (1, 1):
        return CALENDAR_YEAR
    if (start.month, start.day) == (4, 1):
        return FINANCIAL_YEAR
    if (start.month, start.day) in {(9, 1), (8, 1)}:
        return ACADEMIC_YEAR
    return TWELVE_MONTHS


ISO_INTERVAL = re.compile(
    r"^(?P<start>\d{4}-\d{2}-\d{2})(?:T[\d:]+Z?)?/P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<d>\d+)D)?$"
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YEAR = re.compile(r"^(?P<y>\d{4})$")
SPLIT_YEAR = re.compile(r"^(?P<y>\d{4})\s*[/\-–]\s*(?P<y2>\d{2}|\d{4})$")
QUARTER_RE = re.compile(r"^(?P<y>\d{4})\s*[-/ ]?\s*Q(?P<q>[1-4])$", re.IGNORECASE)
MONTH_RE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$")
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"year {year} in {text!r} is outside {FIRST_YEAR}-{LAST_YEAR}")


@lru_cache(maxsize=4096)
def parse_period(text: str, *, split_year: str = FINANCIAL_YEAR) -> Period:
    """Read a period; ``split_year`` says whether ``2023/24`` is a financial or academic year."""
    raw = text
    text = (text or "").strip()
    if not text:
        raise PeriodError("period is empty")
    try:
        if match := ISO_INTERVAL.match(text):
            start = date.fromisoformat(match["start"])
            years, months, days = (int(match[k] or 0) for k in ("y", "m", "d"))
            if not (years or months or days):
                raise PeriodError(f"period {raw!r} has a zero-length duration")
            _check_year(start.year, raw)
            end = _span(start, years, months, days)
            if years and not (months or days):
                kind = _year_kind(start, years)
            elif months == 3 and not (years or days):
                kind = QUARTER
            elif months == 1 and not (years or days):
                kind = MONTH
            elif days == 1 and not (years or months):
                kind = DAY
            else:
                kind = TWELVE_MONTHS if (years * 12 + months) == 12 else MULTI_YEAR
            return Period(start, end, kind)
        if ISO_DATE.match(text):
            day = date.fromisoformat(text)
            _check_year(day.year, raw)
            return Period(day, day, DAY)
        if match := YEAR.match(text):
            year = int(match["y"])
            _check_year(year, raw)
            return Period(date(year, 1, 1), date(year, 12, 31), CALENDAR_YEAR)
        split = SPLIT_YEAR.match(text)
        month_form = MONTH_RE.match(text)
        if split and month_form and int(split["y2"]) != (int(split["y"]) + 1) % 100:
            split = None  # 2023-05 is May 2023; 2023-24 is a split year
        if match := split:
            first = int(match["y"])
            second_text = match["y2"]
            second = (
                int(second_text)
                if len(second_text) == 4
                else (first // 100) * 100 + int(second_text)
            )
            if len(second_text) == 2 and second < first:
                second += 100
            _check_year(first, raw)
            if second == first + 1:
                month = 4 if split_year == FINANCIAL_YEAR else 9
                start = date(first, month, 1)
                return Period(start, _span(start, years=1), split_year)
            if len(second_text) == 4 and second > first + 1:
                return Period(date(first, 1, 1), date(second, 12, 31), MULTI_YEAR)
            raise PeriodError(f"period {raw!r}: the second year must follow the first")
        if match := QUARTER_RE.match(text):
            year, quarter = int(match["y"]), int(match["q"])
            _check_year(year, raw)
            start = date(year, 3 * quarter - 2, 1)
            return Period(start, _span(start, months=3), QUARTER)
        if match := MONTH_RE.match(text):
            year, month = int(match["y"]), int(match["m"])
            _check_year(year, raw)
            start = date(year, month, 1)
            return Period(start, _span(start, months=1), MONTH)
    except ValueError as error:
        if isinstance(error, PeriodError):
            raise
        raise PeriodError(f"period {raw!r} is not a real date: {error}") from None
    raise PeriodError(
        f"period {raw!r} is not recognised; use e.g. 2023, 2023/24, 2021-2023, 2023 Q2, "
        "2023-05, 2023-05-31 or ISO 8601 such as 2022-04-01/P1Y"
    )


def period_label(start: date, end: date, kind: str) -> str:
    """How a person writes the period: 2022, 2022/23, 2020-2022, 2023 Q2, May 2023."""
    if kind == CALENDAR_YEAR:
        return str(start.year)
    if kind in {FINANCIAL_YEAR, ACADEMIC_YEAR, TWELVE_MONTHS}:
        if kind == TWELVE_MONTHS and (start.month, start.day) != (1, 1):
            return f"{start.year}/{str(end.year)[2:]} ({start:%d %b}–{end:%d %b})"
        return f"{start.year}/{str(end.year)[2:]}"
    if kind == MULTI_YEAR:
        if (start.month, start.day) == (1, 1):
            return f"{start.year}–{end.year}"
        return f"{start.year}/{str(start.year + 1)[2:]}–{end.year - 1}/{str(end.year)[2:]}"
    if kind == QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if kind == MONTH:
        return f"{start:%b %Y}"
    return start.isoformat()


def period_iso(start: date, end: date) -> str:
    """ISO 8601 start/duration form when the span is whole years or months, else start/end."""
    approx = (end.year - start.year) * 12 + end.month - start.month
    for months in (approx, approx + 1):
        if months > 0 and _span(start, months=months) == end:
            if months % 12 == 0:
                return f"{start.isoformat()}/P{months // 12}Y"
            return f"{start.isoformat()}/P{months}M"
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()}/{end.isoformat()}"

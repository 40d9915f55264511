"""Periods are real intervals whatever form the source wrote them in."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.periods import (
    ACADEMIC_YEAR,
    CALENDAR_YEAR,
    DAY,
    FINANCIAL_YEAR,
    MONTH,
    MULTI_YEAR,
    QUARTER,
    TWELVE_MONTHS,
    PeriodError,
    parse_period,
    period_iso,
)


@pytest.mark.parametrize(
    ("text", "start", "end", "kind", "label"),
    [
        ("2022-04-01/P1Y", date(2022, 4, 1), date(2023, 3, 31), FINANCIAL_YEAR, "2022/23"),
        ("2022-01-01/P1Y", date(2022, 1, 1), date(2022, 12, 31), CALENDAR_YEAR, "2022"),
        ("2020-01-01/P3Y", date(2020, 1, 1), date(2022, 12, 31), MULTI_YEAR, "2020–2022"),
        ("2021-09-01/P1Y", date(2021, 9, 1), date(2022, 8, 31), ACADEMIC_YEAR, "2021/22"),
        (
            "2015-11-16/P1Y",
            date(2015, 11, 16),
            date(2016, 11, 15),
            TWELVE_MONTHS,
            "2015/16 (16 Nov–15 Nov)",
        ),
        ("2024-03-01/P1M", date(2024, 3, 1), date(2024, 3, 31), MONTH, "Mar 2024"),
        ("2024-03-31", date(2024, 3, 31), date(2024, 3, 31), DAY, "2024-03-31"),
        ("2023", date(2023, 1, 1), date(2023, 12, 31), CALENDAR_YEAR, "2023"),
        ("2023/24", date(2023, 4, 1), date(2024, 3, 31), FINANCIAL_YEAR, "2023/24"),
        ("2023-24", date(2023, 4, 1), date(2024, 3, 31), FINANCIAL_YEAR, "2023/24"),
        ("1999/00", date(1999, 4, 1), date(2000, 3, 31), FINANCIAL_YEAR, "1999/00"),
        ("2021-2023", date(2021, 1, 1), date(2023, 12, 31), MULTI_YEAR, "2021–2023"),
        ("2023 Q2", date(2023, 4, 1), date(2023, 6, 30), QUARTER, "2023 Q2"),
        ("2023-05", date(2023, 5, 1), date(2023, 5, 31), MONTH, "May 2023"),
    ],
)
def test_published_and_typed_forms(text, start, end, kind, label):
    period = parse_period(text)

    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.label == label


def test_split_year_can_mean_academic_year():
    period = parse_period("2023/24", split_year=ACADEMIC_YEAR)

    assert (period.start, period.end) == (date(2023, 9, 1), date(2024, 8, 31))


def test_same_interval_written_two_ways_is_equal():
    assert parse_period("2023") == parse_period("2023-01-01/P1Y")
    assert parse_period("2022/23") == parse_period("2022-04-01/P1Y")


def test_periods_sort_by_start_then_end():
    texts = ["2023", "2021-2023", "2022/23", "2023 Q1"]
    ordered = [p.label for p in sorted(parse_period(t) for t in texts)]

    assert ordered == ["2021–2023", "2022/23", "2023 Q1", "2023"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "period is empty"),
        ("last year", "period 'last year' is not recognised"),
        ("2023-13", "period '2023-13' is not a real date"),
        ("2023-02-30", "period '2023-02-30' is not a real date"),
        ("2023/22", "period '2023/22': the second year must follow the first"),
        ("3023", "year 3023 in '3023' is outside 1900-2100"),
        ("2022-04-01/P", "period '2022-04-01/P' has a zero-length duration"),
    ],
)
def test_unparseable_periods_say_why(text, message):
    with pytest.raises(PeriodError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(text)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 1)), st.integers(1, 5))
def test_iso_round_trip_of_whole_years(start, years):
    text = f"{start.isoformat()}/P{years}Y"
    period = parse_period(text)

    assert period_iso(period.start, period.end) == text
    assert period.start <= period.end

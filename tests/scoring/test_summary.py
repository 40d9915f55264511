"""The plain-English summary of a place's scores: pure, no database."""

from typing import Any

from scoring.summary import DomainResult, HiddenWeakness, place_summary


def _summary(**overrides):
    arguments: dict[str, Any] = {
        "place": "Hartlepool",
        "year": 2024,
        "first_year": 2019,
        "domains": [
            DomainResult("Housing", 7.2, "Well above average", 0.3),
            DomainResult("Health", 2.2, "Well below average", -1.5),
            DomainResult("Work", 4.9, "Around average", 0.8),
        ],
        "hidden": [],
        "indicators_with_data": 38,
        "indicators_expected": 68,
    }
    arguments.update(overrides)
    return place_summary(**arguments)


def test_names_strongest_and_weakest_domains_with_score_and_band():
    first = _summary()[0]

    assert "highest on Housing (7.2, well above average)" in first
    assert "lowest on Health (2.2, well below average)" in first


def test_biggest_change_since_first_year_by_size_either_way():
    sentences = _summary()

    assert "biggest change since 2019 is in Health, which has fallen by 1.5 points" in sentences[1]


def test_hidden_weaknesses_are_named():
    sentences = _summary(hidden=[HiddenWeakness("Crime severity", "place-environment")])

    assert any("1 indicator is weak but hidden" in s and "Crime severity" in s for s in sentences)


def test_many_hidden_weaknesses_are_counted_not_all_listed():
    hidden = [HiddenWeakness(f"Indicator {n}", "x") for n in range(5)]
    text = " ".join(_summary(hidden=hidden))

    assert "5 indicators are weak" in text and "and 2 more" in text


def test_always_ends_with_relative_caveat_and_indicator_count():
    for sentences in (
        _summary(),
        _summary(domains=[]),
        _summary(hidden=[HiddenWeakness("A", "b")]),
    ):
        assert 2 <= len(sentences) <= 4
        last = sentences[-1]
        assert "relative" in last and "not that a problem is solved" in last
        assert "38 of 68 indicators had data" in last


def test_missing_scores_and_single_year_are_handled():
    sentences = _summary(
        domains=[DomainResult("Housing", None), DomainResult("Health", 3.0, "", None)],
        first_year=2024,
    )

    assert sentences[0] == "In 2024 Hartlepool has one domain scored: Health (3.0)."
    assert not any("biggest change" in s for s in sentences)
    assert "no domain scores" in _summary(domains=[DomainResult("Housing", None)])[0]

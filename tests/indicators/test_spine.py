"""The spine chart on the indicator page: every council's latest value, the place among them,
oriented so that better is always to the right; built from the real IoD 2025 release."""

import json
import re

import pytest

from indicators.charts import SpineValue, indicator_spine
from indicators.importing import import_source
from indicators.models import Indicator
from indicators.selectors import indicator_spine_values
from indicators.sources.iod import Iod2025Source
from places.models import Place
from tests.scoring.conftest import _wipe, data_dir  # noqa: F401

NORWICH = "E07000148"
AVERAGE_SCORE = "iod2025-imd-average-score"  # lower is better (less deprived)


@pytest.fixture(scope="module")
def iod_loaded(django_db_setup, django_db_blocker, data_dir):  # noqa: F811
    with django_db_blocker.unblock():
        import_source(Iod2025Source(base=data_dir))
    yield
    with django_db_blocker.unblock():
        _wipe()


def _values(*pairs: tuple[str, float]) -> list[SpineValue]:
    return [SpineValue(code, code.lower(), value) for code, value in pairs]


def test_rank_and_quarter_follow_polarity():
    values = _values(("A", 1.0), ("B", 2.0), ("C", 3.0), ("D", 4.0), ("E", 5.0))

    higher = indicator_spine(values=values, place_code="E", polarity="higher_better")
    lower = indicator_spine(values=values, place_code="E", polarity="lower_better")

    assert higher is not None and lower is not None
    assert (higher.rank, higher.quarter) == (1, "the best quarter")
    assert (lower.rank, lower.quarter) == (5, "the worst quarter")
    assert higher.median == 3.0 and (higher.lower_quartile, higher.upper_quartile) == (2.0, 4.0)
    assert lower.figure["layout"]["xaxis"]["autorange"] == "reversed"
    assert higher.figure["layout"]["xaxis"]["autorange"] is True
    assert "better →" in higher.figure["layout"]["xaxis"]["title"]["text"]


def test_neutral_indicator_is_not_oriented_and_missing_place_gives_nothing():
    values = _values(("A", 1.0), ("B", 2.0))
    neutral = indicator_spine(values=values, place_code="A", polarity="neutral")

    assert neutral is not None and not neutral.oriented
    assert "neither direction is better" in neutral.figure["layout"]["xaxis"]["title"]["text"]
    assert indicator_spine(values=values, place_code="Z") is None


def test_figure_marks_place_similar_areas_median_and_quartiles():
    values = _values(("A", 1.0), ("B", 2.0), ("C", 3.0), ("D", 4.0))
    spine = indicator_spine(values=values, place_code="B", similar_codes=["C", "B"])

    assert spine is not None
    names = [t["name"] for t in spine.figure["data"]]
    assert names == ["Other places", "Similar areas (ONS)", "b"]
    assert spine.figure["data"][1]["customdata"] == [["C"]]
    shapes = spine.figure["layout"]["shapes"]
    assert [(s["x0"], s["x1"]) for s in shapes] == [(1.0, 4.0), (1.75, 3.25), (2.5, 2.5)]


@pytest.mark.django_db
def test_selector_reads_every_lower_tier_value_of_the_latest_period(iod_loaded):
    indicator = Indicator.objects.get(slug=AVERAGE_SCORE)
    norwich = Place.objects.get(code=NORWICH)

    data = indicator_spine_values(indicator=indicator, place=norwich)

    assert data is not None
    values = {v.code: v.value for v in data["values"]}
    assert values[NORWICH] == pytest.approx(26.262)
    assert len(values) == 296
    assert all(code.startswith("E0") for code in values)
    assert data["level"] == "Lower-tier authority"
    assert data["group_label"] == "England"
    assert 0 < len(data["similar_codes"]) <= 5


@pytest.mark.django_db
def test_indicator_page_shows_spine_with_text_alternative(client, iod_loaded):
    response = client.get(f"/indicators/{AVERAGE_SCORE}/", {"place": NORWICH})

    assert response.status_code == 200
    spine = response.context["spine"]
    assert spine is not None
    content = response.content.decode()
    summary = re.search(r'<p id="spine-summary">(.*?)</p>', content, re.S)
    assert summary is not None
    text = " ".join(summary.group(1).split())
    # The official rank of Norwich's average score is 65th most deprived of 296, so with
    # lower (less deprived) better it ranks 232nd of 296: the worst quarter.
    assert f"rank {spine.rank} of {spine.count} (1 = best)" in text
    assert spine.count == 296 and spine.count - spine.rank + 1 == 65
    assert "the worst quarter" in text and "England median" in text
    figure = json.loads(
        re.search(
            r'<script id="spine-data" type="application/json">(.*?)</script>', content, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert figure["data"][-1]["customdata"] == [[NORWICH]]
    assert 'aria-describedby="spine-caption spine-summary"' in content


@pytest.mark.django_db
def test_spine_selector_query_count_is_bounded(iod_loaded, django_assert_max_num_queries):
    indicator = Indicator.objects.get(slug=AVERAGE_SCORE)
    norwich = Place.objects.get(code=NORWICH)
    with django_assert_max_num_queries(4):
        indicator_spine_values(indicator=indicator, place=norwich)

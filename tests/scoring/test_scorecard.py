"""The place page's detailed scorecard over a real scoring run: subdomains, indicators,
hidden weaknesses, the trend chart, the summary, exports and print styles."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from scoring.charts import Series, score_trend_figure
from scoring.engine.bands import BANDS
from scoring.models import ScoreFlag
from scoring.selectors import place_scorecard, place_scorecard_detail, scorecard_export_rows

pytestmark = pytest.mark.django_db

PLACE = "E06000001"  # Hartlepool, unitary


def _card():
    card = place_scorecard_detail(place_code=PLACE, is_upper_tier=True)
    assert card is not None
    return card


def test_existing_scorecard_still_works(scored_run):
    card = place_scorecard(place_code=PLACE, is_upper_tier=True)

    assert card is not None and card["run"] == scored_run
    assert {line["level"] for line in card["lines"]} == {"headline", "domain"}


def test_domains_carry_subdomains_and_indicator_slots(scored_run):
    card = _card()

    domains = {d["key"]: d for d in card["domains"]}
    place_env = domains["place-environment"]
    groups = {g["key"]: g for g in place_env["groups"]}
    assert {"local-environment", "safety", "housing", "transport"} <= set(groups)
    assert all(g["level"] == "subdomain" for g in groups.values())
    slots = {s["node"].key: s for s in groups["local-environment"]["slots"]}
    air = slots["air-pollution-pm25"]
    assert air["driver"] is not None and air["driver"].node_key == "local-environment"
    assert air["value_label"] and air["period_label"]
    assert air["indicator"].source_organisation
    assert slots["noise"]["driver"] is None  # no data yet
    # leaf domains list their slots directly
    leaf = next(d for d in card["domains"] if d["key"] == "equality-income")
    assert leaf["groups"][0]["level"] == "domain"
    assert 0 < card["slots_with_data"] <= card["slots_total"]


def test_flags_mark_their_slots(scored_run):
    card = _card()
    flagged = set(
        ScoreFlag.objects.filter(
            run=scored_run, place_id=PLACE, year=card["year"], reference_set="E-upper_tier"
        ).values_list("slot_key", flat=True)
    )
    marked = {
        s["node"].key
        for d in card["domains"]
        for g in d["groups"]
        for s in g["slots"]
        if s["flag"] is not None
    }

    assert marked == flagged and {f.slot_key for f in card["flags"]} == flagged


def test_place_page_shows_detail_summary_trend_and_print_css(client, scored_run):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/places/{PLACE}/")
    content = response.content.decode()

    assert response.status_code == 200
    assert "Domains in detail" in content and "<details" in content
    assert "Air pollution (PM2.5)" in content
    assert "no data yet" in content
    assert "not that a problem is solved" in content
    assert 'id="trend-figure-data"' in content
    assert "css/print.css" in content
    assert "?format=csv" in content
    if response.context["scorecard"]["flags"]:
        assert "hidden weakness</strong>" in content
    assert len(queries) < 40


def test_csv_export_has_nodes_and_indicator_rows(client, scored_run):
    response = client.get(f"/places/{PLACE}/", {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    levels = {r["level"] for r in rows}
    assert levels == {"headline", "domain", "subdomain", "indicator"}
    air = next(r for r in rows if r["node"] == "air-pollution-pm25")
    assert air["value"] and air["data_period"] and air["source_url"].startswith("http")
    assert next(r for r in rows if r["node"] == "noise")["value"] == "no data yet"
    headline = next(r for r in rows if r["node"] == "local-conditions")
    assert 0 <= float(headline["score"]) <= 10 and headline["band"] and headline["rank"]


def test_xlsx_export_matches_csv_rows(client, scored_run):
    response = client.get(f"/places/{PLACE}/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers, rows = scorecard_export_rows(_card())

    assert response.status_code == 200
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == headers
    assert sheet.max_row == len(rows) + 1


def test_export_for_an_unscored_place_is_404(client, scored_run):
    assert client.get("/places/W06000001/", {"format": "csv"}).status_code == 404


def test_trend_figure_has_lines_average_and_labelled_bands():
    figure = score_trend_figure(
        years=[2019, 2020, 2021],
        series=[Series("Local Conditions", [4.0, None, 4.5]), Series("Equality", [6, 6.2, 6.1])],
        title="Trend",
    )

    assert [t["mode"] for t in figure["data"]] == ["lines+markers"] * 2
    shapes = figure["layout"]["shapes"]
    dashed = [s for s in shapes if s["type"] == "line"]
    assert dashed and dashed[0]["y0"] == 5 and dashed[0]["line"]["dash"] == "dash"
    assert len([s for s in shapes if s["type"] == "rect"]) == len(BANDS)
    labels = {a["text"] for a in figure["layout"]["annotations"]}
    assert {b.label for b in BANDS} <= labels

"""The explorer in a real browser: map → place page, compare presets, rankings CSV, WCAG 2.2 AA.

The live server's database is flushed after every transactional test, so each test loads the
real geography and the real releases and scores TPI 2024 itself (about 25 s each): two tests,
each covering several pages.
"""

import csv
import io
from pathlib import Path

import pytest

from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RENDERED_MAP = "#score-map[data-rendered='true'] path.choroplethlocation"


def test_map_click_through_to_scorecard(scored_site):
    watched = scored_site
    page = watched.page

    watched.goto("/map/")
    page.wait_for_selector(RENDERED_MAP)
    assert page.locator(RENDERED_MAP).count() > 100
    watched.screenshot("explorer-map")
    assert axe_violations(page) == []
    watched.assert_clean()

    # Click the middle of the largest council on the map: plotly turns it into a link.
    boxes = [
        box
        for box in page.locator(RENDERED_MAP).evaluate_all(
            "paths => paths.map(p => { const r = p.getBoundingClientRect();"
            " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
        )
        if box["width"] > 0
    ]
    biggest = max(boxes, key=lambda b: b["width"] * b["height"])
    page.mouse.click(biggest["x"] + biggest["width"] / 2, biggest["y"] + biggest["height"] / 2)
    page.wait_for_url("**/places/E0*/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Thriving Places Index").first.is_visible()
    watched.screenshot("explorer-map-clicked-place")
    assert axe_violations(page) == []
    watched.assert_clean()


def test_compare_presets_and_rankings_csv(scored_site, tmp_path: Path):
    watched = scored_site
    page = watched.page

    watched.goto("/compare/?places=E06000001,E06000002")
    assert page.locator("table.compare thead th").count() == 3
    page.get_by_role("link", name="Similar areas").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#compare-chart[data-rendered='true']")
    place_columns = page.locator("table.compare thead th").count() - 1
    assert place_columns == 8
    assert page.locator("table.compare tbody tr").first.locator("td").count() == 8
    watched.screenshot("explorer-compare-similar")
    assert axe_violations(page) == []
    watched.assert_clean()

    watched.goto("/rankings/")
    assert page.locator("table tbody tr").count() > 100
    watched.screenshot("explorer-rankings")
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert download.suggested_filename.endswith(".csv")
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Rank,Of,GSS code,Name,Region,Score,Band,Top or bottom 10"
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 100
    assert not [cell for row in rows for cell in row if cell.startswith("=")]
    watched.assert_clean()

"""Drill-down in a real browser: Norfolk's districts on a map and in a table, click a district
on the map, its IoD summary page, the indicator spine; WCAG 2.2 AA, no console error, no
request to another host.

The live server's database is flushed after each transactional test, so the one test loads
the real geography and releases and scores TPI 2024 itself.
"""

import pytest

from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RENDERED_MAP = "#drill-map[data-rendered='true'] path.choroplethlocation"
NORFOLK = "E10000020"
NORWICH = "E07000148"


def test_drill_from_county_to_district_and_spine(scored_site):
    watched = scored_site
    page = watched.page

    watched.goto("/drill/")
    page.get_by_role("link", name="Norfolk", exact=True).click()
    page.wait_for_url(f"**/drill/{NORFOLK}/")
    page.wait_for_selector(RENDERED_MAP)
    assert page.locator(RENDERED_MAP).count() == 7
    assert page.locator("table.drill-table tbody tr").count() == 7
    assert page.locator("table.drill-table tr.least").count() == 1
    watched.screenshot("drill-norfolk-districts")
    assert axe_violations(page) == []
    watched.assert_clean()

    # Click the middle of the largest district on the map: it opens that district's drill page.
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
    page.wait_for_url("**/drill/E07*/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="How unequal is it inside?").is_visible()
    watched.assert_clean()

    # The table links each district to its own drill page too.
    watched.goto(f"/drill/{NORFOLK}/")
    page.get_by_role("link", name="Inside Norwich").click()
    page.wait_for_url(f"**/drill/{NORWICH}/")
    assert page.locator("table.iod-summary tbody tr").count() == 5
    assert page.get_by_text("needs a lookup").is_visible()
    watched.screenshot("drill-norwich-inside")
    assert axe_violations(page) == []
    watched.assert_clean()

    # From a measure to the indicator page, whose spine shows Norwich among all districts.
    page.get_by_role("link", name="Average score", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#spine[data-rendered='true']")
    assert "rank" in page.locator("#spine-summary").inner_text()
    watched.screenshot("indicator-spine-norwich")
    assert axe_violations(page) == []
    watched.assert_clean()

"""A person finds a council, sees it on the map and clicks through to a neighbour."""

import pytest

from tests.browser.axe import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_to_place_page_with_map_and_click_through(watched_page):
    page = watched_page.page

    watched_page.goto("/")
    page.get_by_label("Council, region or GSS code").fill("Hartlepool")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/places/E06000001/")
    page.wait_for_selector("#location-map[data-rendered='true'] path.choroplethlocation")
    page.wait_for_selector("#similar-map[data-rendered='true'] path.choroplethlocation")
    watched_page.screenshot("place-hartlepool")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Hartlepool")
    assert page.locator("#location-map path.choroplethlocation").count() >= 12
    watched_page.assert_clean()

    # The first trace is the region's other councils: clicking one opens its page.
    page.locator("#location-map path.choroplethlocation").first.click(force=True)
    page.wait_for_url(lambda url: "/places/E06000001/" not in url and "/places/E0" in url)
    page.wait_for_load_state("networkidle")
    watched_page.assert_clean()


def test_home_and_place_pages_have_no_wcag_aa_violations(watched_page):
    watched_page.goto("/")
    assert axe_violations(watched_page.page) == []

    watched_page.goto("/places/E06000001/")
    watched_page.page.wait_for_selector("#location-map[data-rendered='true']")
    assert axe_violations(watched_page.page) == []

    watched_page.goto("/places/?level=lower_tier&region=E12000001")
    assert axe_violations(watched_page.page) == []
    watched_page.assert_clean()

"""In a real browser, Norfolk's analyst builds Healthy housing from index indicators and an
uploaded local indicator, scores it, and sees it for their places against similar areas.

The live server's database is flushed after the test, so the test loads what it needs
itself: the geography, the national releases Healthy housing reads (ONS ELS, IoD 2025
council summaries, fuel poverty; PM2.5 and waste only so the index's tree can group the
builder's list), one partnership and its analyst. Celery is eager: the import and the
scoring run inside the requests that queue them.
"""

import time
from pathlib import Path

import pytest

from frameworks.management.commands.seed_demo import LOCAL_INDICATOR, local_indicator_csv
from tests.browser.axe import axe_violations
from tests.frameworks.healthy_housing_data import copy_national_files, import_national

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORFOLK_DISTRICTS = [
    "Breckland",
    "Broadland",
    "Great Yarmouth",
    "King's Lynn and West Norfolk",
    "North Norfolk",
    "Norwich",
    "South Norfolk",
]


@pytest.fixture
def norfolk_site(watched_page, tmp_path: Path):
    from django.conf import settings

    from frameworks.definitions import load_definition
    from frameworks.services import framework_sync_definition
    from indicators.importing import import_source
    from indicators.sources.sdg import Pm25MortalitySource, WasteSource
    from partnerships.models import Role
    from tests.factories.partnerships import (
        NORFOLK,
        NORFOLK_DISTRICTS,
        PASSWORD,
        MembershipFactory,
        PartnershipFactory,
        UserFactory,
    )

    files = copy_national_files(tmp_path)
    import shutil

    shutil.copytree(Path(settings.TPI_DATA_DIR) / "ons-sdg-extracts", files / "ons-sdg-extracts")
    import_national(files)
    import_source(Pm25MortalitySource(base=files))
    import_source(WasteSource(base=files))
    framework_sync_definition(load_definition("tpi_2024"), is_index=True)
    partnership = PartnershipFactory(
        slug="norfolk-healthy-homes",
        name="Norfolk Healthy Homes Partnership",
        place_codes=[NORFOLK, *NORFOLK_DISTRICTS],
    )
    analyst = UserFactory(username="norfolk-analyst")
    MembershipFactory(partnership=partnership, user=analyst, role=Role.ANALYST)
    csv_path = tmp_path / "norfolk-indoors-iod2019.csv"
    return watched_page, partnership, analyst, PASSWORD, csv_path, files


def _add_indicator(page, search: str, option_text: str, group: str) -> None:
    page.get_by_label("Find an indicator").fill(search)
    option = page.locator("#indicator option:not([hidden])", has_text=option_text).first
    page.get_by_label("Indicator", exact=True).select_option(option.get_attribute("value"))
    page.get_by_label("Add to").select_option(label=group)
    page.get_by_role("button", name="Add indicator").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("status").filter(has_text="added to").count() == 1


def test_build_score_and_compare_healthy_housing(norfolk_site):
    watched, partnership, analyst, password, csv_path, files = norfolk_site
    page = watched.page

    # Sign in.
    watched.goto("/accounts/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")

    # Define the local indicator and upload its figures through the import pipeline.
    watched.goto(f"/partnerships/{partnership.slug}/indicators/new/")
    page.get_by_label("Name").fill(LOCAL_INDICATOR["name"])
    page.get_by_label("Unit").fill(LOCAL_INDICATOR["unit"])
    page.get_by_label("Which direction is better?").select_option("lower_better")
    page.get_by_label("Description and source").fill(LOCAL_INDICATOR["description"])
    assert axe_violations(page) == []
    page.get_by_role("button", name="Define indicator").click()
    page.wait_for_load_state("networkidle")
    slug = page.locator("strong.code").inner_text()
    assert slug.startswith("norfolk-healthy-homes-homes-in-poor-condition")
    csv_path.write_bytes(local_indicator_csv(slug, files))
    page.get_by_label("File").set_input_files(str(csv_path))
    watched.screenshot("healthy-housing-1-upload")
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state("networkidle")
    assert "/imports/" in page.url
    page.wait_for_selector("text=Imported")
    watched.screenshot("healthy-housing-2-imported")

    # Create the framework and build it in the builder.
    watched.goto(f"/partnerships/{partnership.slug}/frameworks/new/")
    page.get_by_label("Name").fill("Healthy housing")
    page.get_by_role("button", name="Create and open the builder").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Builder: Healthy housing").is_visible()

    for group in ("Affordable homes", "Warm homes", "Health and living environment"):
        box = page.get_by_label("Group name", exact=True)
        box.fill(group)
        box.press("Enter")  # the keyboard way: Enter adds the group
        page.wait_for_load_state("networkidle")
    labels = page.get_by_role("option")
    assert page.locator("#indicator optgroup[label='Local indicators']").count() == 1
    assert page.locator("#indicator optgroup[label='Place & Environment']").count() == 1
    assert labels.count() > 20

    _add_indicator(page, "affordability", "Housing affordability", "Affordable homes")
    _add_indicator(page, "fuel poverty low energy", "Low Energy Efficiency", "Warm homes")
    _add_indicator(page, "domestic gas", "Gas consumption", "Warm homes")
    _add_indicator(page, "domestic electricity", "Electricity consumption", "Warm homes")
    _add_indicator(page, "central heating", "Homes in poor condition", "Warm homes")
    _add_indicator(
        page,
        "preventable cardiovascular",
        "Preventable cardiovascular mortality (England)",
        "Health and living environment",
    )
    _add_indicator(
        page,
        "living environment",
        "IoD 2025 living environment domain average score",
        "Health and living environment",
    )
    page.get_by_label("Weight of Warm homes").fill("2")
    watched.screenshot("healthy-housing-3-builder")
    assert axe_violations(page) == []
    watched.assert_clean()
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("v1 saved.").is_visible()

    # Score it and follow the run.
    page.get_by_role("link", name="framework page, scores and versions").click()
    page.wait_for_load_state("networkidle")
    began = time.perf_counter()
    page.get_by_role("button", name="Score v1 now").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#run-status strong:text('Done')", timeout=120_000)
    print(f"Healthy housing scored in the browser in {time.perf_counter() - began:.1f}s")
    assert page.get_by_text("places,").first.is_visible()
    watched.screenshot("healthy-housing-4-run")
    page.get_by_role("link", name="See the scores").click()
    page.wait_for_load_state("networkidle")

    # Scores for the partnership's places, then one district against its similar areas.
    own = page.locator("table.scores").first
    for name in NORFOLK_DISTRICTS:
        row = own.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True))
        assert row.count() == 1, name
        assert row.locator("td").first.inner_text().split()[0].replace(".", "").isdigit()
    assert (
        own.get_by_text("Well below average").count() + own.get_by_text("Around average").count()
        > 0
    )
    page.get_by_label("Compare").select_option(label="Norwich")
    page.get_by_role("button", name="with its similar areas").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Norwich against similar areas").is_visible()
    similar = page.locator("table.scores").nth(1).locator("tbody tr")
    assert similar.count() >= 4  # Norwich and the councils ONS finds most similar to it
    assert similar.first.locator("th").inner_text().startswith("Norwich")
    # Unitaries among them are ranked among lower-tier councils, like Norwich.
    assert "of 153" not in page.locator("table.scores").nth(1).inner_text()
    watched.screenshot("healthy-housing-5-scores")
    assert axe_violations(page) == []
    watched.assert_clean()

    # The compare page with this framework, for the same places.
    page.get_by_role("link", name="Open these on the compare page").click()
    page.wait_for_load_state("networkidle")
    assert "framework=norfolk-healthy-homes-healthy-housing" in page.url
    assert "E07000148" in page.url
    assert page.locator("table caption", has_text="Healthy housing").count() == 1
    watched.screenshot("healthy-housing-6-compare")
    watched.assert_clean()

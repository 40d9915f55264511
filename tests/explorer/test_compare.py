"""The compare page: 2-8 councils side by side on the real TPI 2024 scores."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from explorer.compare_charts import Bar, Series, compare_figure
from explorer.compare_views import parse_codes
from tests.scoring.conftest import data_dir, scored_ids, scored_run, tpi_version  # noqa: F401
from tpi_site.urls import urlpatterns as site_urlpatterns


def _explorer_patterns() -> list:
    """The explorer pages under one "explorer" namespace (map pages too, when present)."""
    from explorer import compare_urls

    patterns = list(compare_urls.urlpatterns)
    try:
        from explorer import map_urls
    except ImportError:  # pragma: no cover - the map pages are built separately
        return patterns
    return [*map_urls.urlpatterns, *patterns]


# The site's URLs, plus the explorer pages until the site includes them.
urlpatterns = list(site_urlpatterns)
if not any(getattr(p, "namespace", None) == "explorer" for p in site_urlpatterns):
    urlpatterns.append(path("", include((_explorer_patterns(), "explorer"))))


HARTLEPOOL, MIDDLESBROUGH = "E06000001", "E06000002"
NORTH_EAST_UNITARIES = [
    HARTLEPOOL,
    MIDDLESBROUGH,
    "E06000003",
    "E06000004",
    "E06000005",
    "E08000021",
    "E08000022",
    "E08000023",
]
CAMBRIDGE, EAST_CAMBS, CAMBRIDGESHIRE = "E07000008", "E07000009", "E10000003"


@pytest.fixture(autouse=True)
def _compare_wired(request, settings):
    """Serve this module's URLs and find explorer's templates even before the lead wires
    the app in (after any explorer-wide fixture that sets its own URLs)."""
    if "_explorer_wired" in request.fixturenames:
        request.getfixturevalue("_explorer_wired")
    if "explorer" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "explorer"]
    settings.ROOT_URLCONF = __name__


def _get(client, query: str):
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 200
    return response, response.content.decode()


def test_parse_codes_splits_uppercases_and_deduplicates():
    assert parse_codes("e06000001, E06000002 e06000001", "E07000008;") == [
        "E06000001",
        "E06000002",
        "E07000008",
    ]


def test_chart_builder_is_grouped_bars_with_band_colours_and_midline():
    figure = compare_figure(
        nodes=["Local Conditions", "Sustainability"],
        series=[
            Series("A1", "Alpha", [Bar(6.7, "dark_green", "Well above average"), Bar(None)]),
            Series("B2", "Beta", [Bar(3.2, "red", "Well below average"), Bar(5.0, "yellow")]),
        ],
        band_colours={"dark_green": "#1a9850", "red": "#d7301f", "yellow": "#fee08b"},
    )
    assert [t["type"] for t in figure["data"]] == ["bar", "bar"]
    assert figure["data"][0]["orientation"] == "h"
    assert figure["layout"]["barmode"] == "group"
    assert figure["data"][0]["marker"]["color"][0] == "#1a9850"
    assert list(figure["data"][0]["text"]) == ["6.70", "no data"]
    assert "Well above average" in str(figure["data"][0]["customdata"])
    (line,) = figure["layout"]["shapes"]
    assert line["x0"] == line["x1"] == 5 and line["line"]["dash"] == "dash"


def test_compare_renders_table_chart_and_presets(client, scored_run):  # noqa: F811
    response, html = _get(client, f"places={HARTLEPOOL},{MIDDLESBROUGH}")
    assert response.context["tier"] == "upper_tier"
    assert [p.code for p in response.context["places"]] == [HARTLEPOOL, MIDDLESBROUGH]
    rows = response.context["rows"]
    levels = [r.node.level for r in rows]
    assert levels[0] == "headline" and {"domain", "subdomain"} <= set(levels)
    positions = [r.node.position for r in rows]
    assert positions == sorted(positions)
    headline = rows[0].cells[0]
    assert headline is not None and headline.score is not None
    assert f"{headline.score:.2f}" in html
    assert f'swatch band-{headline.band}" aria-hidden="true"></span> {headline.band_label}' in html
    assert f"rank {headline.rank} of {headline.rank_of}" in html
    assert "<caption>" in html and 'scope="col"' in html and 'scope="row"' in html
    assert 'data-figure="compare-figure-data"' in html and 'id="compare-figure-data"' in html
    assert "vendor/plotly/plotly.min.js" in html and "cdn" not in html.lower()
    figure = response.context["figure"]
    assert len(figure["data"]) == 2
    assert len(figure["data"][0]["y"]) == sum(1 for lvl in levels if lvl != "subdomain")
    presets = {p.label: p for p in response.context["presets"]}
    similar = presets["Similar areas"]
    assert similar.places[0].code == HARTLEPOOL and 2 <= len(similar.places) <= 8
    assert all(p.is_upper_tier for p in similar.places)
    region = presets["Same region"]
    assert region.places[0].code == HARTLEPOOL and len(region.places) == 8
    assert {p.region_id for p in region.places} == {"E12000001"}
    assert "A county's districts" not in presets
    assert f"?{region.query}" in html.replace("&amp;", "&")


def test_county_districts_preset_and_lower_tier_default(client, scored_run):  # noqa: F811
    response, _ = _get(client, f"places={CAMBRIDGE},{HARTLEPOOL}")
    assert response.context["tier"] == "lower_tier"
    assert len(response.context["rows"]) > 0
    presets = {p.label: p for p in response.context["presets"]}
    districts = presets["A county's districts"]
    assert districts.places[0].code == CAMBRIDGE and districts.tier == "lower_tier"
    assert {p.upper_tier_id for p in districts.places} == {CAMBRIDGESHIRE}
    assert 2 <= len(districts.places) <= 8

    response, _ = _get(client, f"places={CAMBRIDGESHIRE},{HARTLEPOOL}")
    assert response.context["tier"] == "upper_tier"
    presets = {p.label: p for p in response.context["presets"]}
    assert EAST_CAMBS in {p.code for p in presets["A county's districts"].places}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "Add two to eight council codes"),
        (f"places={HARTLEPOOL}", "Choose at least two places"),
        (
            "places=" + ",".join([*NORTH_EAST_UNITARIES, "E06000047"]),
            "You can compare up to 8 places at once; you gave 9",
        ),
        (f"places={HARTLEPOOL},XX1234567,e99", "No place has the codes XX1234567, E99."),
        (f"places={HARTLEPOOL},XX1234567", "Fewer than two of the codes are known places"),
        (f"places={HARTLEPOOL},{MIDDLESBROUGH}&year=1999", "No scores for the year"),
    ],
)
def test_validation_messages(client, scored_run, query, expected):  # noqa: F811
    _, html = _get(client, query)
    assert expected in html.replace("&#x27;", "'")


def test_places_not_scored_at_the_tier_are_named(client, scored_run):  # noqa: F811
    response, html = _get(
        client, f"places={CAMBRIDGESHIRE},{CAMBRIDGE},{HARTLEPOOL}&tier=upper_tier"
    )
    assert "Not scored among English upper-tier authorities" in html
    assert "Cambridge (E07000008)" in html
    assert [p.code for p in response.context["places"]] == [CAMBRIDGESHIRE, HARTLEPOOL]
    assert response.context["rows"]


def test_add_and_remove_by_code(client, scored_run):  # noqa: F811
    response, html = _get(client, f"places={HARTLEPOOL}&add={MIDDLESBROUGH.lower()}")
    assert [p.code for p in response.context["places"]] == [HARTLEPOOL, MIDDLESBROUGH]
    assert "Remove Hartlepool" in html
    response, _ = _get(client, f"places={HARTLEPOOL},{MIDDLESBROUGH},E06000003&remove=E06000003")
    assert [p.code for p in response.context["places"]] == [HARTLEPOOL, MIDDLESBROUGH]


def test_query_count_does_not_grow_with_places(client, scored_run):  # noqa: F811
    counts = []
    for codes in (NORTH_EAST_UNITARIES[:2], NORTH_EAST_UNITARIES):
        with CaptureQueriesContext(connection) as queries:
            response, _ = _get(client, "places=" + ",".join(codes))
        assert len(response.context["places"]) == len(codes)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 10

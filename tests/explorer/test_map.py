"""The choropleth map over the real scored run: bands, filters, zoom, table and downloads."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring.engine.bands import BANDS

pytestmark = pytest.mark.django_db

BAND_LABELS = [b.label for b in BANDS]
NORTH_EAST = "E12000001"


def _figure(response) -> dict:
    content = response.content.decode()
    match = re.search(
        r'<script id="score-map-data" type="application/json">(.*?)</script>', content, re.S
    )
    assert match, "figure JSON missing"
    return json.loads(match.group(1))


def test_map_draws_bands_regions_and_links_to_place_pages(client, scored_run):
    response = client.get("/map/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-link-pattern="/places/CODE/"' in content
    assert 'data-figure="score-map-data"' in content
    figure = _figure(response)
    names = [t.get("name") for t in figure["data"]]
    assert set(names) & set(BAND_LABELS)
    assert "Region boundaries" in names
    band_traces = [t for t in figure["data"] if t.get("name") in BAND_LABELS]
    for trace in band_traces:
        assert trace["type"] == "choropleth"
        assert len(trace["geojson"]["features"]) == len(trace["locations"])
        assert "%{customdata[1]}" in trace["hovertemplate"]
        colour = {b.label: b.colour for b in BANDS}[trace["name"]]
        assert trace["colorscale"][0][1] == colour
    scores = [row[1] for t in band_traces for row in t["customdata"]]
    assert all(re.fullmatch(r"\d+\.\d\d", s) for s in scores)
    rows = response.context["rows"]
    assert {r.place.code for r in rows if r.score.band} == {
        code for t in band_traces for code in t["locations"]
    }
    first = rows[0]
    assert f"{first.score.score:.2f}" in content
    assert f'class="swatch band-{first.score.band}"' in content


def test_colour_blind_palette_keeps_labels_and_changes_colours(client, scored_run):
    standard = _figure(client.get("/map/"))
    safe = _figure(client.get("/map/", {"palette": "cb"}))

    def colours(figure):
        return {
            t["name"]: t["colorscale"][0][1] for t in figure["data"] if t.get("name") in BAND_LABELS
        }

    assert colours(standard).keys() == colours(safe).keys()
    assert set(colours(standard).values()).isdisjoint(colours(safe).values())


def test_region_filter_greys_the_rest_zooms_and_lists_only_the_region(client, scored_run):
    everything = _figure(client.get("/map/", {"reference_set": "E-lower_tier"}))
    response = client.get("/map/", {"reference_set": "E-lower_tier", "region": NORTH_EAST})
    figure = _figure(response)

    rows = response.context["rows"]
    assert rows
    assert {r.place.region_id for r in rows} == {NORTH_EAST}
    grey = next(t for t in figure["data"] if t.get("name") == "Not selected or no score")
    shown = {
        code for t in figure["data"] if t.get("name") in BAND_LABELS for code in t["locations"]
    }
    assert shown == {r.place.code for r in rows if r.score.band}
    assert not shown & set(grey["locations"])
    zoomed = figure["layout"]["geo"]["lataxis"]["range"]
    full = everything["layout"]["geo"]["lataxis"]["range"]
    assert zoomed[1] - zoomed[0] < (full[1] - full[0]) / 2
    assert zoomed[0] > 54  # the North East lies north of 54°N


def test_filters_for_cluster_rural_class_and_core_cities(client, scored_run):
    core = client.get("/map/", {"core_cities": "1"}).context["rows"]
    assert core
    assert all(r.place.is_core_city for r in core)
    cluster = client.get("/map/", {"cluster": "b"}).context["rows"]
    assert cluster
    assert {r.place.cluster_global for r in cluster} == {"B"}
    rural = client.get("/map/", {"rural_urban_class": "rural"}).context["rows"]
    assert {r.place.rural_urban_class for r in rural} <= {"rural"}


def test_bad_parameters_fall_back_to_defaults(client, scored_run):
    response = client.get(
        "/map/", {"node": "nope", "year": "1066", "reference_set": "x", "region": "Z"}
    )

    assert response.status_code == 200
    query = response.context["query"]
    assert query.year == max(scored_run.periods)
    assert query.reference_set == "E-upper_tier"
    assert not query.filters.active


def test_csv_download_matches_the_table(client, scored_run):
    params = {"reference_set": "E-lower_tier", "region": NORTH_EAST}
    rows = client.get("/map/", params).context["rows"]
    response = client.get("/map/", {**params, "format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:4] == ["Rank", "Of", "GSS code", "Name"]
    assert [line[2] for line in lines[1:]] == [r.place.code for r in rows]


def test_query_count_does_not_grow_with_rows(client, scored_run):
    with CaptureQueriesContext(connection) as few:
        client.get("/map/", {"reference_set": "E-upper_tier", "region": NORTH_EAST})
    with CaptureQueriesContext(connection) as many:
        client.get("/map/", {"reference_set": "E-lower_tier"})

    assert len(many) == len(few)
    assert len(many) <= 10

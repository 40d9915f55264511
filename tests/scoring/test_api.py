"""The scores API over a real scoring run: scores, rankings, drivers, flags, runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_scores_for_a_place_name_the_method_and_carry_band_coverage_interval(
    api_client, scored_run
):
    year = max(scored_run.periods)
    response = api_client.get(
        "/api/scores/", {"place": "E06000001", "year": year, "level": "headline"}
    )

    assert response.status_code == 200
    rows = response.data["results"]
    assert {r["node"] for r in rows} == {"local-conditions", "sustainability", "equality"}
    row = next(
        r for r in rows if r["node"] == "local-conditions" and r["reference_set"] == "E-upper_tier"
    )
    assert row["method_id"] == scored_run.method_id
    assert row["band"] and 0 <= row["score"] <= 10
    assert row["coverage"]["present"] <= row["coverage"]["expected"]
    assert row["interval"]["score_low"] <= row["score"] <= row["interval"]["score_high"]
    assert row["robust"] in (True, False)
    assert row["node_label"] == "Local Conditions"


def test_score_list_query_count_does_not_grow_with_page_size(api_client, scored_run):
    with CaptureQueriesContext(connection) as small:
        api_client.get("/api/scores/", {"limit": 5})
    with CaptureQueriesContext(connection) as large:
        api_client.get("/api/scores/", {"limit": 500})

    assert len(large) == len(small)


def test_rankings_within_a_reference_set_with_filters(api_client, scored_run):
    response = api_client.get(
        "/api/rankings/",
        {"node": "local-conditions", "reference_set": "E-upper_tier", "limit": 500},
    )
    ranks = [r["rank"] for r in response.data["results"]]
    north_east = api_client.get(
        "/api/rankings/",
        {"node": "local-conditions", "reference_set": "E-upper_tier", "region": "E12000001"},
    )

    assert response.data["count"] == 153
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert 0 < north_east.data["count"] < 153
    assert {r["rank_of"] for r in north_east.data["results"]} == {153}


def test_drivers_and_driver_changes(api_client, scored_run):
    years = sorted(scored_run.periods)
    drivers = api_client.get(
        "/api/scores/drivers/", {"place": "E06000001", "year": years[-1], "limit": 1000}
    )
    changes = api_client.get(
        "/api/scores/driver-changes/",
        {"place": "E06000001", "from": years[0], "to": years[-1], "node": "local-conditions"},
    )

    assert drivers.status_code == 200 and drivers.data["count"] > 10
    assert {"z", "contribution", "data_period_end"} <= set(drivers.data["results"][0])
    assert changes.status_code == 200 and changes.data


def test_flags_and_runs(api_client, scored_run):
    flags = api_client.get("/api/scores/flags/", {"place": "E06000001,E08000003"})
    runs = api_client.get("/api/scoring-runs/")

    assert flags.status_code == 200
    assert runs.data["results"][0]["method_id"] == scored_run.method_id
    assert runs.data["results"][0]["releases"]


def test_bad_parameters_are_clear_400s(api_client, scored_run):
    assert api_client.get("/api/scores/", {"year": "last"}).status_code == 400
    assert api_client.get("/api/scores/drivers/").status_code == 400
    assert api_client.get("/api/scores/", {"framework": "nope"}).status_code == 404


def test_place_page_shows_scores_with_band_numbers_and_method(client, scored_run):
    response = client.get("/places/E06000001/")

    content = response.content.decode()
    assert f"Thriving Places Index {max(scored_run.periods)}" in content
    assert scored_run.method_id in content
    card = response.context["scorecard"]
    headline = next(line for line in card["lines"] if line["key"] == "local-conditions")
    assert f"{headline['score'].score:.2f}" in content
    assert headline["score"].band_label in content

"""Drill-down over the real scored run: Norfolk to its seven districts, a district's IoD
summaries (inequality inside it), downloads and a bounded number of queries."""

import csv
import io
import json
import re
from statistics import fmean

import pytest
from openpyxl import load_workbook

from scoring.models import Score

pytestmark = pytest.mark.django_db

NORFOLK = "E10000020"
NORFOLK_DISTRICTS = {
    "E07000143": "Breckland",
    "E07000144": "Broadland",
    "E07000145": "Great Yarmouth",
    "E07000146": "King's Lynn and West Norfolk",
    "E07000147": "North Norfolk",
    "E07000148": "Norwich",
    "E07000149": "South Norfolk",
}
NORWICH = "E07000148"
EAST_OF_ENGLAND = "E12000006"


def _figure(response) -> dict:
    match = re.search(
        r'<script id="drill-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "map JSON missing"
    return json.loads(match.group(1))


def _headline(run, codes, reference_set="E-lower_tier"):
    year = max(run.periods)
    return {
        s.place_id: s
        for s in Score.objects.filter(
            run=run,
            node_key="local-conditions",
            year=year,
            reference_set=reference_set,
            place_id__in=codes,
        )
    }


def test_county_lists_its_districts_ranked_with_gaps(client, scored_run):
    response = client.get(f"/drill/{NORFOLK}/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r.place.code for r in rows} == set(NORFOLK_DISTRICTS)
    scores = _headline(scored_run, list(NORFOLK_DISTRICTS))
    county = _headline(scored_run, [NORFOLK], "E-upper_tier")[NORFOLK]
    values = [s.score for s in scores.values()]
    mean = fmean(values)
    assert [r.place.code for r in rows] == sorted(scores, key=lambda c: -scores[c].score)
    for row in rows:
        expected = scores[row.place.code]
        assert row.score.rank == expected.rank and row.score.rank_of == expected.rank_of
        assert row.gap_mean == pytest.approx(expected.score - mean)
        assert row.gap_parent == pytest.approx(expected.score - county.score)
    least = [r for r in rows if r.is_least]
    assert len(least) == 1 and least[0].value == min(values)
    assert response.context["least"] is least[0]

    content = response.content.decode()
    for code, name in NORFOLK_DISTRICTS.items():
        assert f'href="/places/{code}/"' in content
        assert f'href="/drill/{code}/"' in content
        assert name.replace("'", "&#x27;") in content
    first = rows[0]
    assert f"{first.value:.2f}" in content
    assert f'class="swatch band-{first.score.band}"' in content
    assert f"{first.score.rank} of {first.score.rank_of}" in content
    assert 'class="least"' in content and "least advantaged" in content
    assert f"{county.score:.2f}" in content


def test_county_map_draws_only_its_districts(client, scored_run):
    figure = _figure(client.get(f"/drill/{NORFOLK}/", {"palette": "cb"}))

    locations = [code for trace in figure["data"] for code in trace["locations"]]
    assert sorted(locations) == sorted(NORFOLK_DISTRICTS)
    for trace in figure["data"]:
        assert trace["type"] == "choropleth"
        assert len(trace["geojson"]["features"]) == len(trace["locations"])
    assert "cdn" not in json.dumps(figure["layout"]).lower()


def test_region_lists_lower_tier_councils_and_any_node(client, scored_run):
    response = client.get(f"/drill/{EAST_OF_ENGLAND}/", {"node": "housing", "year": "2023"})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert set(NORFOLK_DISTRICTS) <= {r.place.code for r in rows}
    assert all(r.place.is_lower_tier and r.place.region_id == EAST_OF_ENGLAND for r in rows)
    assert response.context["choice"].node.key == "housing"
    assert response.context["choice"].year == 2023
    assert response.context["own"] is None  # regions are not scored themselves


def test_county_exports_csv_and_xlsx(client, scored_run):
    response = client.get(f"/drill/{NORFOLK}/", {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0][:3] == ["GSS code", "Name", "Score"]
    assert {row[0] for row in table[1:]} == set(NORFOLK_DISTRICTS)
    assert sum(1 for row in table[1:] if row[-1] == "yes") == 1

    response = client.get(f"/drill/{NORFOLK}/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == set(NORFOLK_DISTRICTS)


def test_district_shows_iod_summary_measures_and_honest_note(client, scored_run):
    response = client.get(f"/drill/{NORWICH}/")

    assert response.status_code == 200
    summary = response.context["summary"]
    by_slug = {m.slug: m for m in summary.measures}
    # The official IoD 2025 local-authority summaries (MHCLG) rank Norwich 65th on average
    # score, 64th on average rank, 74th on its share of LSOAs in the most deprived 10%, 62nd
    # on extent and 100th on local concentration (1 = most deprived).
    assert by_slug["iod2025-imd-average-score"].rank == 65
    assert by_slug["iod2025-imd-average-rank"].rank == 64
    assert by_slug["iod2025-imd-proportion-most-deprived-10pc"].value == pytest.approx(0.1176)
    assert by_slug["iod2025-imd-proportion-most-deprived-10pc"].rank == 74
    assert by_slug["iod2025-imd-extent"].rank == 62
    assert by_slug["iod2025-imd-local-concentration"].rank == 100
    assert len(summary.domains) == 7
    assert {s.code for s, _m in summary.siblings} == set(NORFOLK_DISTRICTS)
    content = response.content.decode()
    assert "needs a lookup" in content and "LSOA" in content
    assert "11.8% of Norwich" in content
    assert f'href="/drill/{NORFOLK}/"' in content
    assert 'href="/places/E07000148/"' in content


def test_district_exports_its_measures(client, scored_run):
    response = client.get(f"/drill/{NORWICH}/", {"format": "csv"})

    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0][0] == "Measure"
    average = next(row for row in table if row[0] == "Average score")
    assert average[1] == "26.262" and average[3] == "65"
    assert len(table) == 1 + 5 + 7


def test_unitary_gets_the_district_step_and_unknown_code_is_404(client, scored_run):
    assert client.get("/drill/E06000001/").status_code == 200
    assert client.get("/drill/E92000001/").status_code == 404  # England: use regions
    assert client.get("/drill/X99999999/").status_code == 404


def test_drill_index_links_counties_regions_and_combined_authorities(client, scored_run):
    content = client.get("/drill/").content.decode()

    assert f'href="/drill/{NORFOLK}/"' in content
    assert f'href="/drill/{EAST_OF_ENGLAND}/"' in content


def test_query_counts_are_bounded(client, scored_run, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(f"/drill/{EAST_OF_ENGLAND}/")
    with django_assert_max_num_queries(8):
        client.get(f"/drill/{NORFOLK}/")
    with django_assert_max_num_queries(10):
        client.get(f"/drill/{NORWICH}/")

"""The rankings table: sorting, whole-set ranks under filters, highlights and exports."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

NORTH_EAST = "E12000001"


def test_default_is_best_rank_first_with_top_and_bottom_ten_marked(client, scored_run):
    response = client.get("/rankings/")

    assert response.status_code == 200
    rows = response.context["rows"]
    ranks = [r.score.rank for r in rows]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    assert [r.marker for r in rows[:10]] == ["Top 10"] * 10
    assert [r.marker for r in rows[-10:]] == ["Bottom 10"] * 10
    assert rows[10].marker == ""
    content = response.content.decode()
    assert content.count('class="top-10"') == 10
    assert content.count('class="bottom-10"') == 10
    assert content.count('<span class="marker">Top 10</span>') == 10
    assert f"{rows[0].score.score:.2f}" in content


def test_filtered_ranks_stay_those_of_the_whole_reference_set(client, scored_run):
    full = client.get("/rankings/", {"reference_set": "E-lower_tier"}).context
    response = client.get("/rankings/", {"reference_set": "E-lower_tier", "region": NORTH_EAST})

    rows = response.context["rows"]
    assert 0 < len(rows) < len(full["rows"])
    by_code = {r.place.code: r.score.rank for r in full["rows"]}
    assert all(by_code[r.place.code] == r.score.rank for r in rows)
    assert {r.score.rank_of for r in rows} == {response.context["total"]}
    assert f"{len(rows)} of {response.context['total']}" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("name", lambda r: r.place.name.lower(), False),
        ("-name", lambda r: r.place.name.lower(), True),
        ("-score", lambda r: r.score.score, True),
        ("score", lambda r: r.score.score, False),
        ("-rank", lambda r: r.score.rank, True),
    ],
)
def test_server_side_sort(client, scored_run, sort, key, reverse):
    rows = client.get("/rankings/", {"sort": sort}).context["rows"]

    values = [key(r) for r in rows]
    assert values == sorted(values, reverse=reverse)


def test_sort_links_keep_the_filters(client, scored_run):
    content = client.get("/rankings/", {"region": NORTH_EAST, "sort": "name"}).content.decode()

    assert f"?region={NORTH_EAST}&amp;sort=-name" in content
    assert 'aria-sort="ascending"' in content


def test_xlsx_export_is_exactly_what_is_shown(client, scored_run):
    params = {"region": NORTH_EAST, "sort": "-score", "reference_set": "E-lower_tier"}
    rows = client.get("/rankings/", params).context["rows"]
    response = client.get("/rankings/", {**params, "format": "xlsx"})

    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Rank", "Of", "GSS code"]
    assert [v[2] for v in values[1:]] == [r.place.code for r in rows]
    assert [v[5] for v in values[1:]] == [round(r.score.score, 2) for r in rows]
    assert all(isinstance(v[0], int) for v in values[1:])


def test_query_count_does_not_grow_with_rows(client, scored_run):
    with CaptureQueriesContext(connection) as few:
        client.get("/rankings/", {"region": NORTH_EAST})
    with CaptureQueriesContext(connection) as many:
        client.get("/rankings/", {"reference_set": "E-lower_tier"})

    assert len(many) == len(few)
    assert len(many) <= 8

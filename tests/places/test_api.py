"""The places API: list with filters (bounded queries), detail, boundary, schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_list_upper_tier_england_2024(api_client):
    response = api_client.get("/api/places/", {"level": "upper_tier", "nation": "E", "limit": 500})

    assert response.status_code == 200
    assert response.data["count"] == 153
    hartlepool = next(p for p in response.data["results"] if p["code"] == "E06000001")
    assert hartlepool["region"] == {"code": "E12000001", "name": "North East"}
    assert set(hartlepool["levels"]) == {"upper_tier", "lower_tier"}


def test_list_filters_by_region_rural_urban_and_cluster(api_client):
    response = api_client.get(
        "/api/places/",
        {
            "level": "lower_tier",
            "region": "E12000001",
            "rural_urban_class": "urban",
            "cluster_global": "B",
        },
    )

    codes = {p["code"] for p in response.data["results"]}
    assert "E06000001" in codes
    assert all(p["region"]["code"] == "E12000001" for p in response.data["results"])


def test_list_includes_retired_codes_only_when_asked(api_client):
    default = api_client.get("/api/places/", {"q": "Craven"})
    with_retired = api_client.get("/api/places/", {"q": "Craven", "include_retired": "true"})
    in_2019 = api_client.get("/api/places/", {"q": "Craven", "year": 2019})

    assert default.data["count"] == 0
    assert with_retired.data["results"][0]["code"] == "E07000163"
    assert in_2019.data["count"] == 1


def test_list_query_count_does_not_grow_with_page_size(api_client):
    with CaptureQueriesContext(connection) as small:
        api_client.get("/api/places/", {"limit": 5})
    with CaptureQueriesContext(connection) as large:
        api_client.get("/api/places/", {"limit": 400})

    assert len(large) == len(small) <= 3


def test_invalid_filter_value_is_a_clear_400(api_client):
    response = api_client.get("/api/places/", {"level": "galaxy"})

    assert response.status_code == 400
    assert "level" in response.data


def test_detail_has_hierarchy_children_and_similar_areas(api_client):
    response = api_client.get("/api/places/E10000023/")  # North Yorkshire county (retired)

    assert response.status_code == 200
    assert response.data["end_year"] == 2022
    assert len(response.data["children"]) == 7
    hartlepool = api_client.get("/api/places/E06000001/").data
    assert hartlepool["similar_areas"]["global"][0] == {"code": "E08000018", "name": "Rotherham"}
    assert len(hartlepool["similar_areas"]["economic"]) == 20
    assert hartlepool["combined_authority"]["code"] == "E47000006"


def test_detail_of_retired_code_lists_successors(api_client):
    response = api_client.get("/api/places/E07000187/")

    assert response.data["successors"] == ["E06000066"]


def test_boundary_is_geojson_feature(api_client):
    response = api_client.get("/api/places/E06000001/boundary/")

    assert response.status_code == 200
    assert response.data["type"] == "Feature"
    assert response.data["properties"]["areacd"] == "E06000001"
    assert response.data["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    older = api_client.get("/api/places/E10000023/boundary/", {"year": 2019})
    assert older.data["properties"]["year"] == 2019


def test_unknown_place_is_404(api_client):
    assert api_client.get("/api/places/E99999999/").status_code == 404


def test_code_changes_filter(api_client):
    response = api_client.get("/api/code-changes/", {"new_code": "E06000065"})

    assert response.data["count"] == 7
    assert {c["change_type"] for c in response.data["results"]} == {"merger"}


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/places/{code}/" in schema.content
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"jsdelivr" not in docs.content.lower()

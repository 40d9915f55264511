"""The home page, the filterable list and the place page, over the real geography."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_search_by_name_lists_matches(client):
    response = client.get("/", {"q": "york"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "North Yorkshire" in content
    assert "E06000014" in content  # York


def test_home_search_by_exact_code_goes_straight_to_the_place(client):
    response = client.get("/", {"q": "e06000001"})

    assert response.status_code == 302
    assert response["Location"] == "/places/E06000001/"


def test_search_with_no_match_says_so(client):
    response = client.get("/", {"q": "Atlantis"})

    assert "No place matches" in response.content.decode()


def test_list_filters_by_level_and_region(client):
    response = client.get(reverse("places:list"), {"level": "lower_tier", "region": "E12000001"})

    assert response.status_code == 200
    assert "12 places." in response.content.decode()
    assert response.context["page"].object_list[0].region_id == "E12000001"


def test_list_filters_by_rural_urban_class(client):
    response = client.get(
        reverse("places:list"),
        {"level": "lower_tier", "nation": "E", "rural_urban_class": "sparse_and_rural"},
    )

    places = list(response.context["page"].object_list)
    assert places
    assert {p.rural_urban_class for p in places} == {"sparse_and_rural"}


def test_place_page_shows_hartlepool_with_region_similar_areas_and_map(client):
    response = client.get("/places/E06000001/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Hartlepool" in content
    assert 'href="/places/E12000001/">North East</a>' in content
    assert "Tees Valley" in content
    assert "Similar areas" in content
    assert 'href="/places/E08000018/"' in content  # Rotherham, most similar overall
    embedded = re.search(
        r'id="location-figure-data" type="application/json">(.*?)</script>', content, re.S
    )
    assert embedded is not None
    figure = json.loads(embedded.group(1))
    codes = {c for trace in figure["data"] for c in trace["locations"]}
    assert "E06000001" in codes and "E06000002" in codes  # Middlesbrough for context
    assert "/static/vendor/plotly/plotly.min.js" in content
    assert "cdn" not in content.lower()


def test_county_page_lists_its_districts(client):
    response = client.get("/places/E10000014/")  # Hampshire

    assert response.status_code == 200
    children = response.context["hierarchy"].children
    assert len(children) == 11
    assert {c.upper_tier_id for c in children} == {"E10000014"}


def test_retired_code_page_points_to_its_successor(client):
    response = client.get("/places/E07000163/")

    content = response.content.decode()
    assert "Retired after 2022" in content
    assert 'href="/places/E06000065/"' in content


def test_lower_case_code_redirects_to_canonical_url(client):
    response = client.get("/places/e06000001/")

    assert response.status_code == 302
    assert response["Location"] == "/places/E06000001/"


def test_unknown_code_is_404(client):
    assert client.get("/places/E99999999/").status_code == 404


def test_plotly_js_is_served_by_the_app(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/plotly/plotly.min.js")
    assert finders.find("topojson/world_110m.json")

"""The indicators API: catalogue, datasets, releases, observations (bounded queries), imports."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import DatasetRelease, ImportJob, ImportStatus, Observation
from partnerships.models import Membership, Role
from tests.factories.indicators import DatasetFactory, IndicatorFactory
from tests.indicators.test_selectors import ENGLAND, HARTLEPOOL, import_tiny
from tests.indicators.test_views import (
    BAD_CSV,
    GOOD_CSV,
    PARTNERSHIP,
    make_partnership,
    needs_local_source,
    upload_target,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(tmp_path):
    return import_tiny(tmp_path)


@pytest.fixture
def tiny_two_releases(tmp_path):
    return import_tiny(tmp_path, second_release=True)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("partner", password="not-a-real-secret-1")


@pytest.fixture
def signed_in(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.fixture
def run_imports(django_capture_on_commit_callbacks, monkeypatch):
    from tpi_site.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


# --- catalogue ---------------------------------------------------------------------------


def test_indicator_list_and_filters(api_client, tiny):
    everything = api_client.get("/api/indicators/", {"dataset": "tiny-test"})
    lower = api_client.get("/api/indicators/", {"q": "smoking", "polarity": "lower_better"})
    regional = api_client.get("/api/indicators/", {"dataset": "tiny-test", "level": "region"})

    assert everything.status_code == 200
    assert [i["slug"] for i in everything.data["results"]] == ["tiny-jobs", "tiny-smoking"]
    assert [i["slug"] for i in lower.data["results"]] == ["tiny-smoking"]
    assert [i["slug"] for i in regional.data["results"]] == ["tiny-jobs"]


def test_indicator_detail_describes_the_measure(api_client, tiny):
    response = api_client.get("/api/indicators/tiny-smoking/")

    assert response.status_code == 200
    data = response.data
    assert data["dataset"] == "tiny-test"
    assert data["polarity"] == "lower_better"
    assert data["polarity_label"] == "Lower is better"
    assert data["unit"] == "%"
    assert data["source_organisation"] == "Tiny Office"
    assert data["geography_levels"] == ["lower_tier", "upper_tier"]
    assert data["page_url"].endswith("/indicators/tiny-smoking/")
    assert data["observations_url"].endswith("/api/observations/?indicator=tiny-smoking")
    assert api_client.get("/api/indicators/nope/").status_code == 404


def test_invalid_indicator_filter_is_a_clear_400(api_client):
    response = api_client.get("/api/indicators/", {"polarity": "sideways"})

    assert response.status_code == 400
    assert "polarity" in response.data


def test_indicator_list_query_count_is_constant(api_client, tiny):
    with CaptureQueriesContext(connection) as small:
        api_client.get("/api/indicators/", {"limit": 1})
    with CaptureQueriesContext(connection) as large:
        api_client.get("/api/indicators/", {"limit": 100})

    assert len(large) == len(small) <= 2


def test_datasets_show_current_release_and_indicator_count(api_client, tiny_two_releases):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/datasets/")

    tiny = next(d for d in response.data["results"] if d["slug"] == "tiny-test")
    assert tiny["indicator_count"] == 2
    assert tiny["current_release"]["label"] == "Tiny release 2"
    assert tiny["is_local"] is False
    assert len(queries) <= 3
    assert api_client.get("/api/datasets/tiny-test/").data["name"] == "Tiny test dataset"


def test_releases_filter_by_dataset_and_current(api_client, tiny_two_releases):
    every = api_client.get("/api/releases/", {"dataset": "tiny-test"})
    current = api_client.get("/api/releases/", {"dataset": "tiny-test", "current": "true"})

    assert [r["label"] for r in every.data["results"]] == ["Tiny release 2", "Tiny release 1"]
    assert [r["is_current"] for r in every.data["results"]] == [True, False]
    assert [r["label"] for r in current.data["results"]] == ["Tiny release 2"]
    assert every.data["results"][0]["row_count"] == 18


# --- observations ------------------------------------------------------------------------


def test_observations_carry_period_label_place_indicator_and_release(api_client, tiny):
    response = api_client.get(
        "/api/observations/", {"indicator": "tiny-smoking", "place": HARTLEPOOL}
    )

    assert response.status_code == 200
    assert response.data["count"] == 3
    first, suppressed = response.data["results"][:2]
    assert first["period_label"] == "2019"
    assert first["period_start"] == "2019-01-01"
    assert first["place"] == HARTLEPOOL
    assert first["place_name"] == "Hartlepool"
    assert first["indicator"] == "tiny-smoking"
    assert first["dataset"] == "tiny-test"
    assert first["release_label"] == "Tiny release 1"
    assert first["release_is_current"] is True
    assert (first["value"], first["lower_ci"], first["upper_ci"]) == (15.0, 13.5, 16.5)
    assert first["source_line"] == 2
    assert (suppressed["value"], suppressed["status"]) == (None, "suppressed")
    assert suppressed["note"] == "too few responses"


def test_observation_filters(api_client, tiny_two_releases):
    def count(**params):
        response = api_client.get("/api/observations/", {"dataset": "tiny-test", **params})
        assert response.status_code == 200, response.data
        return response.data["count"]

    old = DatasetRelease.objects.get(label="Tiny release 1")
    assert count() == 18
    assert count(current="false") == 36
    assert count(release=old.pk) == 18
    assert count(place=f"{HARTLEPOOL},{ENGLAND}") == 5
    assert count(place=HARTLEPOOL, period_from="2020-01-01", period_to="2020-12-31") == 1
    assert count(period_from="2023-01-01") == 1  # 2022/23 ends in March 2023
    assert count(indicator="tiny-jobs") == 1


def test_observation_bad_date_is_a_clear_400(api_client):
    response = api_client.get("/api/observations/", {"period_from": "last year"})

    assert response.status_code == 400
    assert "period_from" in response.data


def test_observation_list_query_count_is_constant(api_client, tiny):
    with CaptureQueriesContext(connection) as small:
        api_client.get("/api/observations/", {"dataset": "tiny-test", "limit": 1})
    with CaptureQueriesContext(connection) as large:
        response = api_client.get("/api/observations/", {"dataset": "tiny-test", "limit": 500})

    assert len(response.data["results"]) == 18
    assert len(large) == len(small) <= 2


def test_observation_page_size_is_capped(api_client, tiny):
    response = api_client.get("/api/observations/", {"limit": 100000})

    assert response.status_code == 200
    assert len(response.data["results"]) <= 2000


# --- imports -----------------------------------------------------------------------------


def _upload(text: str, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_needs_an_authenticated_user(api_client):
    response = api_client.post(
        "/api/imports/",
        {"file": _upload(GOOD_CSV), "indicator": "tiny-smoking"},
        format="multipart",
    )

    assert response.status_code in {401, 403}
    assert not ImportJob.objects.exists()
    assert api_client.get("/api/imports/").status_code in {401, 403}


def test_import_rejects_a_wrong_file_type_before_queueing(signed_in, user):
    partnership = make_partnership(user)
    response = signed_in.post(
        "/api/imports/",
        {"file": _upload("%PDF", "report.pdf"), "indicator": upload_target(partnership)},
        format="multipart",
    )

    assert response.status_code == 400
    assert "file" in response.data
    assert not ImportJob.objects.exists()


@needs_local_source
def test_import_csv_end_to_end(signed_in, user, tiny, run_imports):
    make_partnership(user)
    response = run_imports(
        signed_in.post,
        "/api/imports/",
        {"file": _upload(GOOD_CSV, "survey.csv"), "indicator": "tiny-smoking"},
        format="multipart",
    )

    assert response.status_code == 202
    job_id = response.data["id"]
    assert response.data["url"].endswith(f"/api/imports/{job_id}/")
    assert response["Location"] == response.data["url"]
    assert response.data["page_url"].endswith(f"/imports/{job_id}/")

    detail = signed_in.get(f"/api/imports/{job_id}/").data
    assert detail["status"] == "done", detail["report"]
    assert detail["dataset"] == "tiny-test"  # the indicator's own series
    assert detail["partnership"] == PARTNERSHIP
    assert detail["progress"] == {"rows_done": 3, "rows_total": 3, "percent": 100}
    assert detail["report"]["rows_accepted"] == 3
    assert detail["report"]["rejected"] == []
    assert Observation.objects.filter(release_id=detail["release"]).count() == 3
    listed = signed_in.get("/api/imports/").data
    assert [j["id"] for j in listed["results"]] == [job_id]
    assert "report" not in listed["results"][0]


@needs_local_source
def test_import_with_bad_rows_reports_them(signed_in, user, tiny, run_imports):
    make_partnership(user)
    response = run_imports(
        signed_in.post,
        "/api/imports/",
        {"file": _upload(BAD_CSV), "indicator": "tiny-smoking"},
        format="multipart",
    )

    detail = signed_in.get(f"/api/imports/{response.data['id']}/").data
    assert detail["status"] == "rejected"
    assert detail["release"] is None
    report = detail["report"]
    assert report["rows_rejected"] == 3
    assert [r["line"] for r in report["rejected"]] == [3, 4, 5]
    assert {r["column"] for r in report["rejected"]} == {"place", "period", "value"}
    assert report["rejected_truncated"] is False
    assert sum(report["rejection_reasons"].values()) == 3
    assert detail["rejected_csv_url"].endswith(f"/imports/{response.data['id']}/rejected.csv")


def test_running_job_reports_live_progress_from_the_cache(signed_in, user):
    job = ImportJob.objects.create(kind="local", status=ImportStatus.RUNNING, created_by=user)
    cache.set(f"import-job:{job.pk}:progress", (40, 160), 60)

    data = signed_in.get(f"/api/imports/{job.pk}/").data

    assert data["status"] == "running"
    assert data["status_label"] == "Running"
    assert data["progress"] == {"rows_done": 40, "rows_total": 160, "percent": 25}
    cache.delete(f"import-job:{job.pk}:progress")


def test_jobs_are_private_to_their_owner(api_client, user):
    job = ImportJob.objects.create(kind="local", status=ImportStatus.DONE, created_by=user)
    other = get_user_model().objects.create_user("other", password="not-a-real-secret-2")
    staff = get_user_model().objects.create_user(
        "staff", password="not-a-real-secret-3", is_staff=True
    )

    api_client.force_authenticate(other)
    assert api_client.get(f"/api/imports/{job.pk}/").status_code == 404
    assert api_client.get("/api/imports/").data["count"] == 0
    api_client.force_authenticate(staff)
    assert api_client.get(f"/api/imports/{job.pk}/").status_code == 200


def test_import_needs_a_local_indicator_of_a_partnership_where_the_user_is_analyst(signed_in, user):
    partnership = make_partnership(get_user_model().objects.create_user("admin-b"))
    other = make_partnership(get_user_model().objects.create_user("admin-c"), slug="other")
    Membership.objects.create(partnership=partnership, user=user, role=Role.VIEWER)
    national = IndicatorFactory(slug="national-thing", dataset=DatasetFactory(is_local=False))

    def post(**extra):
        data = {"file": _upload(GOOD_CSV), **extra}
        return signed_in.post("/api/imports/", data, format="multipart")

    assert post().status_code == 400  # no indicator named
    assert post(indicator=upload_target(partnership)).status_code == 403  # a viewer there
    outsider = post(indicator=upload_target(other))
    unknown = post(indicator="no-such-indicator")
    baseline = post(indicator=national.slug)
    assert outsider.status_code == unknown.status_code == baseline.status_code == 404
    assert outsider.content == unknown.content == baseline.content
    assert not ImportJob.objects.exists()


def test_partnership_jobs_are_listed_for_its_members_only(api_client, user):
    partnership = make_partnership(user)
    job = ImportJob.objects.create(
        kind="local", status=ImportStatus.DONE, created_by=user, partnership=partnership
    )
    colleague = get_user_model().objects.create_user("colleague")
    Membership.objects.create(partnership=partnership, user=colleague, role=Role.VIEWER)
    outsider = get_user_model().objects.create_user("outsider")
    make_partnership(outsider, slug="elsewhere")

    api_client.force_authenticate(colleague)
    assert [j["id"] for j in api_client.get("/api/imports/").data["results"]] == [job.pk]
    assert api_client.get(f"/api/imports/{job.pk}/").status_code == 200
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/imports/").data["count"] == 0
    assert api_client.get(f"/api/imports/{job.pk}/").status_code == 404


def test_import_list_query_count_is_constant(signed_in, user):
    ImportJob.objects.create(kind="local", status=ImportStatus.DONE, created_by=user)
    signed_in.get("/api/imports/")  # the forced user object keeps its memberships from here
    with CaptureQueriesContext(connection) as small:
        signed_in.get("/api/imports/")
    ImportJob.objects.bulk_create(
        [ImportJob(kind="local", status=ImportStatus.DONE, created_by=user) for _ in range(20)]
    )
    with CaptureQueriesContext(connection) as large:
        response = signed_in.get("/api/imports/")

    assert response.data["count"] == 21
    assert len(large) == len(small)

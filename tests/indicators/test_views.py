"""Indicator pages, the upload form and job page, template downloads, chart builder, command."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from indicators.charts import Point, Series, indicator_time_series_figure
from indicators.models import (
    Dataset,
    DatasetRelease,
    ImportJob,
    ImportStatus,
    Indicator,
    Observation,
)
from partnerships.models import Membership, Partnership, Role
from places.models import Place
from tests.factories.indicators import DatasetFactory, IndicatorFactory
from tests.indicators.test_selectors import (
    ENGLAND,
    HARTLEPOOL,
    NORTH_EAST,
    import_tiny,
)

pytestmark = pytest.mark.django_db

try:
    from indicators.sources import local as _local  # noqa: F401

    LOCAL_SOURCE_MISSING = False
except ImportError:
    LOCAL_SOURCE_MISSING = True
needs_local_source = pytest.mark.skipif(
    LOCAL_SOURCE_MISSING, reason="indicators.sources.local (LocalFileSource) not written yet"
)

GOOD_CSV = (
    "place,indicator,period,value,lower_ci,upper_ci,status,note\n"
    "E06000001,tiny-smoking,2023,12.5,10.1,14.9,,Survey\n"
    "Hartlepool,tiny-smoking,2022,13.1,10.6,15.6,provisional,\n"
    "E06000002,tiny-smoking,2023,c,,,,Fewer than 10 responses\n"
)
BAD_CSV = (
    "place,indicator,period,value\n"
    "E06000001,tiny-smoking,2023,12.5\n"
    "E99999999,tiny-smoking,2023,11.0\n"
    "E06000002,tiny-smoking,2023 Q5,11.0\n"
    "E06000003,tiny-smoking,2023,lots\n"
)


@pytest.fixture
def tiny(tmp_path):
    return import_tiny(tmp_path)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("partner", password="not-a-real-secret-1")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


PARTNERSHIP = "hartlepool-health"


def make_partnership(user, *, role=Role.ANALYST, slug=PARTNERSHIP) -> Partnership:
    """A partnership for Hartlepool with ``user`` in it. It owns the tiny dataset (if loaded)
    as a local series, so ``tiny-smoking`` is the partnership's own local indicator that its
    files may name; without the tiny data it gets a local indicator ``<slug>-survey`` in a
    dataset of its own, so the upload form has something to offer."""
    partnership = Partnership.objects.create(slug=slug, name=f"Partnership {slug}")
    partnership.places.add(Place.objects.get(code=HARTLEPOOL))
    Membership.objects.create(partnership=partnership, user=user, role=role)
    if not Dataset.objects.filter(slug="tiny-test").update(partnership=partnership, is_local=True):
        IndicatorFactory(
            slug=f"{slug}-survey",
            dataset=DatasetFactory(slug=f"{slug}-survey", partnership=partnership),
        )
    return partnership


def upload_target(partnership: Partnership) -> str:
    """The slug of the partnership's local indicator that uploads in these tests are for."""
    return (
        Indicator.objects.filter(dataset__partnership=partnership, dataset__is_local=True)
        .order_by("slug")
        .values_list("slug", flat=True)
        .first()
        or ""
    )


@pytest.fixture
def partnership(user):
    return make_partnership(user)


@pytest.fixture
def run_imports(django_capture_on_commit_callbacks, monkeypatch):
    """Run queued import tasks in-process when the request's transaction commits."""
    from tpi_site.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


# --- catalogue pages ---------------------------------------------------------------------


def test_catalogue_lists_and_filters_indicators(client, tiny):
    everything = client.get("/indicators/")
    lower = client.get("/indicators/", {"q": "tiny", "polarity": "lower_better"})
    by_dataset = client.get("/indicators/", {"dataset": "tiny-test", "level": "region"})

    assert everything.status_code == 200
    assert 'href="/indicators/tiny-smoking/"' in everything.content.decode()
    assert [i.slug for i in lower.context["page"]] == ["tiny-smoking"]
    assert [i.slug for i in by_dataset.context["page"]] == ["tiny-jobs"]
    assert "1 indicator." in by_dataset.content.decode()


def test_indicator_page_shows_metadata_chart_and_every_observation(client, tiny):
    response = client.get("/indicators/tiny-smoking/", {"place": HARTLEPOOL})

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Tiny smoking prevalence</h1>" in content
    for text in (
        "Lower is better",
        'href="https://example.org/tiny/smoking"',
        "Tiny Office",
        "Open Government Licence v3.0",
        "1 March 2024",
        "Survey estimates; small samples in small areas.",
        "Tiny release 1",
        "13.5 to 16.5",  # 95% interval in the table, to the indicator's decimal places
        "Suppressed or not available: too few responses",
    ):
        assert text in content, text
    table = response.context["observations"]
    assert [o.period_label for o in table] == ["2019", "2020", "2021"]
    assert [o.source_line for o in table] == [2, 3, 4]

    figure = json.loads(
        content.split('id="time-series-data" type="application/json">')[1].split("</script>")[0]
    )
    traces = {trace["name"]: trace for trace in figure["data"]}
    place = traces["Hartlepool"]
    assert place["y"] == [15.0, None, 14.0]  # suppressed 2020 is a gap
    assert place["error_y"]["array"] == [1.5, None, 1.5]
    assert place["customdata"][0][0] == "2019"
    assert traces["England"]["y"] == [12.0, 12.0]
    assert "North East (region)" in traces
    assert sum("similar area" in name for name in traces) == 5
    assert 'src="/static/vendor/plotly/plotly.min.js"' in content


def test_indicator_page_table_marks_superseded_releases(client, tmp_path):
    import_tiny(tmp_path, second_release=True)

    response = client.get("/indicators/tiny-smoking/", {"place": HARTLEPOOL})

    assert len(response.context["observations"]) == 6
    assert "superseded" in response.content.decode()
    figure = response.context["figure"]
    place = next(t for t in figure["data"] if t["name"] == "Hartlepool")
    assert place["y"] == [16.0, None, 15.0]  # the chart uses the current release only


def test_place_picker_accepts_a_name_and_redirects_to_the_code(client, tiny):
    by_name = client.get("/indicators/tiny-smoking/", {"place": "hartlepool"})
    by_lower_code = client.get("/indicators/tiny-smoking/", {"place": "e06000001"})

    assert by_name.status_code == 302
    assert by_name["Location"] == "/indicators/tiny-smoking/?place=E06000001"
    assert by_lower_code["Location"] == "/indicators/tiny-smoking/?place=E06000001"


def test_place_picker_lists_candidates_or_says_nothing_matches(client, tiny):
    several = client.get("/indicators/tiny-smoking/", {"place": "Yorkshire"}).content.decode()
    nothing = client.get("/indicators/tiny-smoking/", {"place": "Atlantis"}).content.decode()

    assert "Several places match" in several
    assert "?place=E10000023" in several  # North Yorkshire (county)
    assert "No place matches “Atlantis”" in nothing


def test_indicator_page_defaults_to_england_and_handles_no_data(client, tiny):
    england = client.get("/indicators/tiny-smoking/")
    no_data = client.get("/indicators/tiny-jobs/", {"place": HARTLEPOOL})

    assert england.context["place"].code == ENGLAND
    assert "Showing England" in england.content.decode()
    assert no_data.context["figure"] is None
    assert "No current release has a value" in no_data.content.decode()
    assert "plotly.min.js" not in no_data.content.decode()


def test_region_page_uses_the_region_series(client, tiny):
    response = client.get("/indicators/tiny-jobs/", {"place": NORTH_EAST})

    assert response.status_code == 200
    assert [o.value for o in response.context["observations"]] == [1200.0]
    assert ">1200<" in response.content.decode()  # decimal_places 0


def test_unknown_indicator_is_404(client):
    assert client.get("/indicators/no-such-indicator/").status_code == 404


def test_indicator_page_query_count_is_bounded(client, tiny, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        client.get("/indicators/tiny-smoking/", {"place": HARTLEPOOL})


# --- chart builder (no Django) -----------------------------------------------------------


def test_time_series_figure_shows_gaps_intervals_and_period_ticks():
    points = [
        Point(date(2021, 4, 1), date(2022, 3, 31), "2021/22", 10.0, 9.0, 11.5),
        Point(date(2022, 4, 1), date(2023, 3, 31), "2022/23", None, status="Suppressed"),
        Point(date(2023, 4, 1), date(2024, 3, 31), "2023/24", 12.0, 11.0, 13.0),
    ]
    figure = indicator_time_series_figure(
        title="Test",
        unit="%",
        decimal_places=1,
        series=[
            Series("Place", "place", points),
            Series("England", "england", [points[0]]),
            Series("Nobody", "similar", []),
        ],
    )

    place, england = figure["data"][1], figure["data"][0]
    assert [t["name"] for t in figure["data"]] == ["England", "Place"]
    assert place["y"] == [10.0, None, 12.0]
    assert place["connectgaps"] is False
    assert place["error_y"]["array"] == [1.5, None, 1.0]
    assert place["error_y"]["arrayminus"] == [1.0, None, 1.0]
    assert "95% interval" in place["hovertemplate"]
    assert "error_y" not in england
    assert figure["layout"]["xaxis"]["ticktext"] == ["2021/22", "2022/23", "2023/24"]
    json.dumps(figure)  # plain JSON, ready for json_script


# --- uploads -----------------------------------------------------------------------------


def test_upload_form_needs_a_signed_in_user(client):
    response = client.get("/imports/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_upload_form_is_multipart_with_csrf_and_template_links(signed_in, partnership):
    content = signed_in.get("/imports/new/").content.decode()

    assert 'enctype="multipart/form-data"' in content
    assert "csrfmiddlewaretoken" in content
    assert 'href="/imports/template.csv"' in content
    assert 'href="/imports/template.xlsx"' in content


def test_upload_form_rejects_a_file_of_the_wrong_type(signed_in, partnership):
    upload = SimpleUploadedFile("data.pdf", b"%PDF-1.4", content_type="application/pdf")

    response = signed_in.post(
        "/imports/new/", {"file": upload, "indicator": upload_target(partnership)}
    )

    assert response.status_code == 400
    assert "Upload a CSV or Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


@needs_local_source
def test_upload_imports_the_file_and_shows_the_report(signed_in, user, tiny, run_imports):
    partnership = make_partnership(user)
    upload = SimpleUploadedFile("wellbeing.csv", GOOD_CSV.encode(), content_type="text/csv")

    response = run_imports(
        signed_in.post,
        "/imports/new/",
        {"file": upload, "indicator": "tiny-smoking"},
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.created_by == user
    assert job.status == ImportStatus.DONE, job.report
    assert job.rows_accepted == 3
    assert job.release is not None
    assert job.partnership == partnership
    assert job.release.dataset.slug == "tiny-test"  # the indicator's own series
    assert job.release.is_current
    assert job.release.dataset.is_local
    assert job.release.dataset.partnership == partnership
    provisional = Observation.objects.get(release=job.release, period_start=date(2022, 1, 1))
    assert (provisional.place_id, provisional.status) == (HARTLEPOOL, "provisional")

    page = signed_in.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert "Imported" in content
    assert page.context["finished"] is True
    assert "import-progress.js" not in content  # nothing left to poll


@needs_local_source
def test_rejected_upload_lists_rows_reasons_and_offers_a_csv(signed_in, user, tiny, run_imports):
    partnership = make_partnership(user)
    upload = SimpleUploadedFile("bad.csv", BAD_CSV.encode(), content_type="text/csv")

    run_imports(
        signed_in.post,
        "/imports/new/",
        {"file": upload, "indicator": upload_target(partnership)},
    )

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert job.rows_rejected == 3
    assert list(
        DatasetRelease.objects.filter(dataset__slug="tiny-test").values_list("label", flat=True)
    ) == ["Tiny release 1"]  # nothing of the file was stored
    page = signed_in.get(f"/imports/{job.pk}/")
    content = page.content.decode()
    assert "Why rows were rejected" in content
    assert [row["line"] for row in page.context["rejected"]] == [3, 4, 5]
    assert "E99999999" in content
    download = signed_in.get(f"/imports/{job.pk}/rejected.csv")
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert download["Content-Type"] == "text/csv"
    assert lines[0] == "line,column,value,reason"
    assert len(lines) == 4
    assert lines[1].startswith("3,place,E99999999,")


def test_running_job_page_has_a_progress_bar_that_polls_the_api(signed_in, user):
    job = ImportJob.objects.create(
        kind="local", status=ImportStatus.RUNNING, rows_total=200, rows_done=50, created_by=user
    )

    content = signed_in.get(f"/imports/{job.pk}/").content.decode()

    assert '<progress id="import-progress-bar" max="100" value="25">' in content
    assert "50 of 200 rows (25%)" in content
    assert f'data-api-url="/api/imports/{job.pk}/"' in content
    assert 'src="/static/js/import-progress.js"' in content


def test_job_page_is_private_to_its_owner_and_staff(client, user):
    job = ImportJob.objects.create(kind="local", status=ImportStatus.DONE, created_by=user)
    other = get_user_model().objects.create_user("other", password="not-a-real-secret-2")
    staff = get_user_model().objects.create_user(
        "staff", password="not-a-real-secret-3", is_staff=True
    )

    client.force_login(other)
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/rejected.csv").status_code == 404
    client.force_login(staff)
    assert client.get(f"/imports/{job.pk}/").status_code == 200
    assert client.get("/imports/999999/").status_code == 404


def test_job_page_is_visible_to_the_partnership_members_only(client, user, partnership):
    job = ImportJob.objects.create(
        kind="local", status=ImportStatus.DONE, created_by=user, partnership=partnership
    )
    viewer = get_user_model().objects.create_user("viewer", password="not-a-real-secret-4")
    Membership.objects.create(partnership=partnership, user=viewer, role=Role.VIEWER)
    outsider = get_user_model().objects.create_user("outsider", password="not-a-real-secret-5")
    make_partnership(outsider, slug="elsewhere")

    client.force_login(viewer)
    assert client.get(f"/imports/{job.pk}/").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/rejected.csv").status_code == 404


def test_upload_needs_the_analyst_role_in_the_chosen_partnership(client, user, partnership):
    viewer = get_user_model().objects.create_user("viewer", password="not-a-real-secret-4")
    Membership.objects.create(partnership=partnership, user=viewer, role=Role.VIEWER)
    outsider = get_user_model().objects.create_user("outsider", password="not-a-real-secret-5")
    upload = SimpleUploadedFile("data.csv", GOOD_CSV.encode(), content_type="text/csv")
    data = {"file": upload, "indicator": upload_target(partnership)}

    client.force_login(viewer)
    page = client.get("/imports/new/").content.decode()
    assert "analyst or admin role" in page
    assert 'enctype="multipart/form-data"' not in page
    assert client.post("/imports/new/", data).status_code == 403
    client.force_login(outsider)
    upload.seek(0)
    assert client.post("/imports/new/", data).status_code == 404
    assert partnership.name not in client.get("/imports/new/").content.decode()
    assert not ImportJob.objects.exists()


def test_upload_for_a_national_or_unknown_indicator_is_not_found(signed_in, tiny, partnership):
    national = IndicatorFactory(slug="national-thing", dataset=DatasetFactory(is_local=False))
    for slug in (national.slug, "no-such-indicator"):
        upload = SimpleUploadedFile("data.csv", GOOD_CSV.encode(), content_type="text/csv")
        response = signed_in.post("/imports/new/", {"file": upload, "indicator": slug})
        assert response.status_code == 404, slug
    missing = signed_in.post(
        "/imports/new/",
        {"file": SimpleUploadedFile("data.csv", GOOD_CSV.encode(), content_type="text/csv")},
    )
    assert missing.status_code == 400
    assert "This field is required" in missing.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_form_offers_the_local_indicators_and_where_to_define_more(signed_in, partnership):
    content = signed_in.get("/imports/new/").content.decode()

    assert f'<option value="{upload_target(partnership)}"' in content
    assert f"{partnership.name}: " in content
    assert f'href="/partnerships/{partnership.slug}/indicators/new/"' in content


def test_someone_without_local_indicators_is_sent_to_define_one(signed_in, partnership):
    Indicator.objects.filter(dataset__partnership=partnership).delete()

    content = signed_in.get("/imports/new/").content.decode()

    assert 'enctype="multipart/form-data"' not in content
    assert "you have not" in content
    assert f'href="{reverse("frameworks:local-indicator-new", args=[partnership.slug])}"' in (
        content
    )


@needs_local_source
def test_template_downloads(client):
    csv_response = client.get(reverse("indicators:template-csv"))
    xlsx_response = client.get(reverse("indicators:template-xlsx"))

    assert csv_response.status_code == 200
    assert csv_response.content.decode().startswith("place,indicator,period,value")
    assert "attachment" in csv_response["Content-Disposition"]
    assert xlsx_response.content[:2] == b"PK"  # a zip, i.e. an xlsx workbook
    assert xlsx_response["Content-Type"].endswith("spreadsheetml.sheet")


# --- management command ------------------------------------------------------------------


@needs_local_source
def test_import_local_file_command_imports_and_reports(tmp_path, tiny, capsys):
    path = tmp_path / "survey.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")

    call_command("import_local_file", str(path), "--dataset-name", "Command survey")

    out = capsys.readouterr().out
    assert "command-survey: done; read 3, accepted 3, rejected 0" in out
    assert Observation.objects.filter(release__dataset__slug="command-survey").count() == 3


@needs_local_source
def test_import_local_file_command_fails_with_the_rejections(tmp_path, tiny, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")

    with pytest.raises(CommandError, match="rejected"):
        call_command("import_local_file", str(path), "--dataset-name", "Command bad")

    err = capsys.readouterr().err
    assert "line 3, column place, value 'E99999999'" in err
    assert not Observation.objects.filter(release__dataset__slug="command-bad").exists()


def test_import_local_file_command_needs_an_existing_file(tmp_path):
    with pytest.raises(CommandError, match="No file"):
        call_command("import_local_file", str(tmp_path / "missing.csv"), "--dataset-name", "X")

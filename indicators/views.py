"""HTML pages for indicators and imports: thin, they call selectors, jobs and chart builders."""

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from indicators import selectors
from indicators.charts import Point, Series, indicator_spine, indicator_time_series_figure
from indicators.jobs import import_job_create, import_job_progress
from indicators.models import (
    ImportJob,
    ImportStatus,
    Indicator,
    Observation,
    ObservationStatus,
    Polarity,
)
from partnerships.models import Role
from partnerships.visibility import require_role
from places.models import Level, Place

LOGIN_URL = "accounts:login"
ALLOWED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
REJECTED_SHOWN = 500
FINISHED = {ImportStatus.DONE, ImportStatus.UNCHANGED, ImportStatus.REJECTED, ImportStatus.FAILED}
ROLE_SUFFIX = {"england": "", "country": "", "region": " (region)"}


# --- shared with the API -----------------------------------------------------------------


def upload_problem(uploaded: UploadedFile) -> str | None:
    """Why a file cannot be imported before reading it (type, size), or None."""
    name = uploaded.name or ""
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        return f"Upload a CSV or Excel (.xlsx) file in the documented format (got {name!r})."
    limit = int(getattr(settings, "TPI_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
    if uploaded.size is not None and uploaded.size > limit:
        return f"The file is larger than {limit // (1024 * 1024)} MB."
    if not uploaded.size:
        return "The file is empty."
    return None


def local_import_options(dataset_name: str) -> dict[str, str]:
    """Options for a command-line ``local`` import (no partnership) into the named dataset;
    a partnership's upload uses ``indicator_import_options`` instead."""
    name = " ".join(dataset_name.split())
    return {"dataset_slug": slugify(name)[:120], "dataset_name": name}


def indicator_import_options(indicator: Indicator) -> dict[str, str]:
    """Options for a ``local`` import job of one local indicator's file.

    A local series is its own dataset, so a file goes into the indicator's dataset and its
    new release never makes another indicator's figures non-current."""
    return {"dataset_slug": indicator.dataset.slug, "dataset_name": indicator.dataset.name}


def upload_indicator(user: Any, slug: str) -> Indicator:
    """The local indicator a person uploads for: 404 when it does not exist, is national or
    belongs to a partnership they are not in (one answer, so nothing can be inferred);
    403 when their role there is below analyst."""
    indicator = selectors.local_indicator_for_upload(slug=slug)
    if indicator is None:
        raise Http404("Not found.")
    require_role(user, indicator.dataset.partnership_id, Role.ANALYST)
    return indicator


def import_job_links(job: ImportJob) -> dict[str, str]:
    return {
        "page_url": reverse("indicators:import-detail", args=[job.pk]),
        "rejected_csv_url": reverse("indicators:import-rejected-csv", args=[job.pk]),
    }


# --- catalogue ---------------------------------------------------------------------------


def indicator_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "dataset": request.GET.get("dataset", ""),
        "polarity": request.GET.get("polarity", ""),
        "level": request.GET.get("level", ""),
    }
    if filters["polarity"] not in Polarity.values:
        filters["polarity"] = ""
    if filters["level"] not in Level.values:
        filters["level"] = ""
    indicators = selectors.indicator_list(user=request.user, **filters)
    page = Paginator(indicators, 100).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "page": page,
            "filters": filters,
            "querystring": params.urlencode(),
            "datasets": selectors.dataset_choices(user=request.user),
            "polarities": Polarity.choices,
            "levels": [(v, label) for v, label in Level.choices if v != Level.SMALL_AREA],
        },
    )


def _point(observation: Observation) -> Point:
    suppressed = observation.status == ObservationStatus.SUPPRESSED
    return Point(
        start=observation.period_start,
        end=observation.period_end,
        label=observation.period_label,
        value=None if suppressed else observation.value,
        lower=None if suppressed else observation.lower_ci,
        upper=None if suppressed else observation.upper_ci,
        status=observation.get_status_display() if observation.status else "",
    )


def _one_per_period(observations: Iterable[Observation]) -> list[Observation]:
    """The first observation of each period (selectors order newest release first)."""
    seen: set[tuple[Any, Any]] = set()
    kept = []
    for observation in observations:
        key = (observation.period_start, observation.period_end)
        if key not in seen:
            seen.add(key)
            kept.append(observation)
    return kept


def _place_series(
    indicator: Indicator, place: Place, current: Sequence[Observation]
) -> list[Series]:
    """The place's current observations, one series per dataset that publishes them.

    The indicator's own dataset comes first; another (a partnership's upload naming this
    indicator) is drawn in its own style, so the two are never mistaken for one series.
    """
    by_dataset: dict[int, list[Observation]] = {}
    names: dict[int, str] = {}
    for observation in current:
        dataset = observation.release.dataset
        by_dataset.setdefault(dataset.pk, []).append(observation)
        names[dataset.pk] = dataset.name
    order = sorted(by_dataset, key=lambda pk: (pk != indicator.dataset_id, names[pk]))
    several = len(order) > 1
    return [
        Series(
            name=f"{place.name} ({names[pk]})" if several else place.name,
            role="place" if index == 0 else "place_other",
            points=[_point(o) for o in _one_per_period(by_dataset[pk])],
        )
        for index, pk in enumerate(order)
    ]


def _chart(
    indicator: Indicator, place: Place, current: Sequence[Observation], user: Any = None
) -> dict[str, Any] | None:
    if not current:
        return None
    comparators = selectors.comparators_for(place=place)
    observed = selectors.observation_comparisons(
        indicator=indicator, places=[c.place for c in comparators], user=user
    )
    series = _place_series(indicator, place, current)
    for comparator in comparators:
        observations = _one_per_period(observed.get(comparator.place.code, []))
        if not observations:
            continue
        name = comparator.place.name + ROLE_SUFFIX.get(comparator.role, "")
        if comparator.role == "similar":
            name = f"{comparator.place.name} (similar area {comparator.rank})"
        series.append(
            Series(name=name, role=comparator.role, points=[_point(o) for o in observations])
        )
    measure, unit = indicator.measure, indicator.unit
    y_title = f"{measure} ({unit})" if measure and unit and unit != measure else measure or unit
    return indicator_time_series_figure(
        title=f"{indicator.name}: {place.name}",
        unit=indicator.unit,
        decimal_places=indicator.decimal_places,
        series=series,
        y_title=y_title,
    )


def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        indicator = selectors.indicator_get(slug=slug, user=request.user)
    except Indicator.DoesNotExist:
        raise Http404(f"No indicator has the slug {slug!r}.") from None
    text = request.GET.get("place", "").strip()
    choice = selectors.place_choose(text=text or selectors.ENGLAND)
    place = choice.place
    if text and place is not None and place.code != text:
        url = reverse("indicators:detail", args=[indicator.slug])
        return redirect(f"{url}?{urlencode({'place': place.code})}")

    observations: list[Observation] = []
    current: list[Observation] = []
    figure = None
    if place is not None:
        observations = list(
            selectors.observation_series(
                indicator=indicator, place=place, current_only=False, user=request.user
            )
        )
        current = [o for o in observations if o.release.is_current]
        figure = _chart(indicator, place, current, user=request.user)
    spine_data = place and selectors.indicator_spine_values(indicator=indicator, place=place)
    spine = spine_data and indicator_spine(
        **spine_data, polarity=indicator.polarity, unit=indicator.unit,
        decimal_places=indicator.decimal_places, title=indicator.name,
    )  # fmt: skip
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "dataset": indicator.dataset,
            "release": selectors.dataset_current_release(dataset=indicator.dataset),
            "place": place,
            "place_text": text,
            "candidates": choice.candidates,
            "place_options": selectors.place_options(),
            "observations": observations,
            "has_superseded": len(current) != len(observations),
            "suppressed_count": sum(1 for o in current if o.status == ObservationStatus.SUPPRESSED),
            "figure": figure,
            "spine": spine,
            "level_labels": [
                Level(level).label for level in indicator.geography_levels if level in Level.values
            ],
        },
    )


# --- imports -----------------------------------------------------------------------------


class LocalIndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        partnership = obj.dataset.partnership
        return f"{partnership.name}: {obj.name}" if partnership else obj.name


class ImportForm(forms.Form):
    indicator = LocalIndicatorChoiceField(
        queryset=Indicator.objects.none(),
        to_field_name="slug",
        label="Local indicator",
        help_text="The file is the next release of this indicator's figures; only the "
        "partnership's members see them until they are published.",
    )
    file = forms.FileField(
        label="File",
        help_text="CSV or Excel (.xlsx) with the columns place, indicator, period, value "
        "and optionally lower_ci, upper_ci, numerator, denominator, status, note. "
        "Every row's indicator must be the one chosen above.",
    )

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = indicators

    def clean_file(self) -> UploadedFile:
        uploaded: UploadedFile = self.cleaned_data["file"]
        if problem := upload_problem(uploaded):
            raise forms.ValidationError(problem)
        return uploaded


@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a file for one local indicator of a partnership where the person is an
    analyst or admin; the file becomes a new release of that indicator's own dataset."""
    chosen = request.POST.get("indicator", "") if request.method == "POST" else ""
    if chosen:
        upload_indicator(request.user, chosen)  # 404 to outsiders, 403 to viewers
    indicators = selectors.upload_indicators(user=request.user)
    form = ImportForm(request.POST or None, request.FILES or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        indicator = form.cleaned_data["indicator"]
        job = import_job_create(
            kind="local",
            uploaded_file=form.cleaned_data["file"],
            options=indicator_import_options(indicator),
            user=request.user,
            partnership=indicator.dataset.partnership,
        )
        return redirect("indicators:import-detail", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    partnerships = list(selectors.upload_partnerships(user=request.user))
    return render(
        request,
        "indicators/import_new.html",
        {
            "form": form,
            "can_upload": bool(partnerships),
            "has_indicators": indicators.exists(),
            "define_links": [
                (p.name, reverse("frameworks:local-indicator-new", args=[p.slug]))
                for p in partnerships
            ],
        },
        status=status,
    )


def _visible_job(request: HttpRequest, pk: int) -> ImportJob:
    try:
        job = selectors.import_job_get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("No such import.") from None
    if not selectors.import_job_visible_to(job=job, user=request.user):
        raise Http404("No such import.")
    return job


@login_required(login_url=LOGIN_URL)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    report = job.report or {}
    rejected = report.get("rejected") or []
    return render(
        request,
        "indicators/import_detail.html",
        {
            "job": job,
            "progress": import_job_progress(job),
            "finished": job.status in FINISHED,
            "report": report,
            "reasons": sorted(
                (report.get("rejection_reasons") or {}).items(), key=lambda kv: -kv[1]
            ),
            "rejected": rejected[:REJECTED_SHOWN],
            "rejected_total": len(rejected),
            "rejected_shown": REJECTED_SHOWN,
            "api_url": reverse("api:import-job-detail", args=[job.pk]),
            **import_job_links(job),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required(login_url=LOGIN_URL)
def import_rejected_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    job = _visible_job(request, pk)
    rejected = (job.report or {}).get("rejected") or []
    writer = csv.writer(_Echo())
    rows = (
        writer.writerow([r.get("line"), r.get("column"), r.get("value"), r.get("reason")])
        for r in rejected
    )
    header = writer.writerow(["line", "column", "value", "reason"])
    response = StreamingHttpResponse(
        (line for part in ([header], rows) for line in part), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
    return response


def template_csv(request: HttpRequest) -> HttpResponse:
    from indicators.sources.local import local_template_csv

    response = HttpResponse(local_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="local-data-template.csv"'
    return response


def template_xlsx(request: HttpRequest) -> HttpResponse:
    from indicators.sources.local import local_template_xlsx

    response = HttpResponse(
        local_template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="local-data-template.xlsx"'
    return response

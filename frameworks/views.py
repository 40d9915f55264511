"""Framework pages: list, detail (tree, versions, runs, scores beside similar areas), the
builder, scoring runs, and a partnership's local indicators. Thin: they call selectors
for reads and ``frameworks.bespoke`` services for writes; privacy via
``partnerships.visibility`` (outsiders get 404, members without the role 403)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from frameworks import selectors
from frameworks.bespoke import (
    BespokeDefinitionError,
    bespoke_definition_problems,
    bespoke_framework_create,
    bespoke_framework_publish,
    bespoke_framework_save,
    bespoke_framework_score,
    current_definition,
    indicators_available_to,
    latest_version,
    local_indicator_create,
    local_indicators_of,
)
from frameworks.forms import (
    POLARITY_CHOICES,
    Draft,
    FrameworkCreateForm,
    LocalIndicatorForm,
    LocalUploadForm,
    PublishForm,
)
from frameworks.models import Framework
from indicators.jobs import import_job_create
from partnerships.models import Partnership, Role
from partnerships.visibility import membership_for, require_role
from places.models import Place
from scoring.engine import BANDS
from scoring.models import RunStatus, ScoringRun

LOGIN_URL = "accounts:login"
FINISHED = {RunStatus.DONE, RunStatus.FAILED}


def _partnership_for(request: HttpRequest, slug: str, role: str) -> Partnership:
    partnership = Partnership.objects.filter(slug=slug).first()
    if partnership is None:
        raise Http404("Not found.")
    require_role(request.user, partnership.pk, role)
    return partnership


def _can(user: Any, framework: Framework, role: str) -> bool:
    if framework.partnership_id is None:
        return False
    membership = membership_for(user, framework.partnership_id)
    return membership is not None and membership.allows(role)


def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = list(selectors.framework_list_visible(request.user))
    return render(request, "frameworks/framework_list.html", {"frameworks": frameworks})


def framework_detail(request: HttpRequest, key: str) -> HttpResponse:
    framework = selectors.framework_get_visible(key=key, user=request.user)
    versions = selectors.version_list(framework)
    shown = versions[0] if versions else None
    asked = request.GET.get("version", "")
    if asked.isdigit():
        shown = next((v for v in versions if v.version == int(asked)), shown)
    run = selectors.current_run_for(framework)
    runs = selectors.run_list_for(framework)
    context: dict[str, Any] = {
        "framework": framework,
        "versions": versions,
        "shown": shown,
        "is_latest": shown is not None and versions and shown.pk == versions[0].pk,
        "lines": selectors.tree_lines(shown),
        "run": run,
        "runs": runs,
        "latest_run": runs[0] if runs else None,
        "can_edit": _can(request.user, framework, Role.ANALYST),
        "can_publish": _can(request.user, framework, Role.ADMIN),
        "bands": BANDS,
        "framework_query": urlencode({"framework": framework.key}),
    }
    if framework.partnership_id and context["can_publish"]:
        context["publish_form"] = PublishForm(
            initial={
                "is_published": framework.is_published,
                "published_from": framework.published_from,
            }
        )
    if run is not None and run.periods:
        context.update(_score_context(request, framework, run))
    return render(request, "frameworks/framework_detail.html", context)


def _score_context(request: HttpRequest, framework: Framework, run: ScoringRun) -> dict[str, Any]:
    years = sorted(run.periods)
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else years[-1]
    nodes = selectors.scored_nodes(run)
    places: list[Place] = (
        selectors.partnership_places(framework.partnership) if framework.partnership else []
    )
    own = {p.code for p in places}
    focus = next((p for p in places if p.code == request.GET.get("place")), None)
    if focus is None and places:
        focus = next((p for p in places if not p.is_upper_tier), places[0])
    similar = selectors.similar_places(focus) if focus else []
    compare_places = [focus, *similar] if focus else []
    return {
        "year": year,
        "years": years,
        "nodes": nodes,
        "own_rows": selectors.score_rows(run=run, places=places, year=year, nodes=nodes, own=own),
        "places": places,
        "focus": focus,
        "similar_rows": selectors.score_rows(
            run=run,
            places=compare_places,
            year=year,
            nodes=nodes,
            own=own,
            reference_set=selectors.reference_set_for(focus) if focus else "",
        ),
        "compare_query": urlencode(
            {
                "places": ",".join(p.code for p in compare_places[:8]),
                "framework": framework.key,
                **(
                    {"tier": "upper_tier" if focus.is_upper_tier else "lower_tier"} if focus else {}
                ),
            }
        ),
    }


@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def framework_new(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _partnership_for(request, slug, Role.ANALYST)
    form = FrameworkCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        framework = bespoke_framework_create(
            partnership=partnership,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            actor=request.user,
        )
        messages.success(request, f"“{framework.name}” created. Add groups and indicators.")
        return redirect("frameworks:edit", key=framework.key)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "frameworks/framework_new.html",
        {"form": form, "partnership": partnership},
        status=status,
    )


def _editable(request: HttpRequest, key: str) -> Framework:
    framework = selectors.framework_get_visible(key=key, user=request.user)
    if framework.partnership_id is None:
        raise PermissionDenied("The index cannot be edited; build a framework of your own.")
    require_role(request.user, framework.partnership_id, Role.ANALYST)
    return framework


@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def framework_edit(request: HttpRequest, key: str) -> HttpResponse:
    framework = _editable(request, key)
    assert framework.partnership is not None
    partnership = framework.partnership
    saved = current_definition(framework)
    problems: list[str] = []
    query = ""
    status = 200
    if request.method == "GET":
        draft = Draft(saved)
    else:
        draft = Draft.from_post(request.POST, saved)
        draft.apply_fields(request.POST)
        action = request.POST.get("action", "")
        # The list is filtered on the server only when asked (Search button, or Enter in
        # the search box without JavaScript); after any other action it shows everything.
        if action in {"search", "enter"}:
            query = request.POST.get("q", "").strip()[:100]
        if action == "enter":  # Enter pressed in a text box: do what that box is for
            if request.POST.get("new_group", "").strip():
                action = "add-group"
            elif request.POST.get("new_subgroup", "").strip():
                action = "add-subgroup"
        if action == "add-group":
            draft.add_group(request.POST.get("new_group", ""))
        elif action == "add-subgroup":
            draft.add_group(
                request.POST.get("new_subgroup", ""), parent=request.POST.get("subgroup_parent", "")
            )
        elif action == "add-indicator":
            slug = request.POST.get("indicator", "")
            indicator = indicators_available_to(partnership).filter(slug=slug).first()
            draft.add_indicator(indicator, request.POST.get("target", ""))
        elif action.startswith("remove:"):
            draft.remove(action.removeprefix("remove:"))
        elif action == "save":
            try:
                version, created = bespoke_framework_save(
                    framework=framework, definition=draft.definition, actor=request.user
                )
            except BespokeDefinitionError as error:
                problems = error.problems
                status = 400
            else:
                text = (
                    f"v{version.version} saved."
                    if created
                    else f"No changes since v{version.version}; nothing saved."
                )
                messages.success(request, text)
                return redirect("frameworks:edit", key=framework.key)
        elif action == "check":
            problems = bespoke_definition_problems(draft.definition, partnership=partnership)
            if not problems:
                draft.messages.append("No problems found. Save to make a new version.")
    latest = latest_version(framework)
    return render(
        request,
        "frameworks/framework_edit.html",
        {
            "framework": framework,
            "partnership": partnership,
            "draft": draft,
            "rows": draft.rows(),
            "targets": draft.targets(),
            "groups": selectors.indicator_groups(partnership, query),
            "query": query,
            "problems": problems,
            "latest": latest,
            "polarities": POLARITY_CHOICES,
            "unsaved": draft.definition != saved,
        },
        status=status,
    )


@login_required(login_url=LOGIN_URL)
@require_POST
def framework_score(request: HttpRequest, key: str) -> HttpResponse:
    framework = _editable(request, key)
    try:
        run = bespoke_framework_score(framework=framework, actor=request.user)
    except BespokeDefinitionError as error:
        messages.error(request, " ".join(error.problems))
        return redirect("frameworks:detail", key=framework.key)
    return redirect("frameworks:run", key=framework.key, run_id=run.pk)


@login_required(login_url=LOGIN_URL)
@require_POST
def framework_publish(request: HttpRequest, key: str) -> HttpResponse:
    framework = selectors.framework_get_visible(key=key, user=request.user)
    if framework.partnership_id is None:
        raise PermissionDenied("The index is published already.")
    require_role(request.user, framework.partnership_id, Role.ADMIN)
    form = PublishForm(request.POST)
    if form.is_valid():
        bespoke_framework_publish(
            framework=framework,
            is_published=form.cleaned_data["is_published"],
            published_from=form.cleaned_data["published_from"],
            actor=request.user,
        )
        messages.success(
            request, "Published." if framework.is_published else "Visible to members only."
        )
    else:
        messages.error(request, "Check the publication date.")
    return redirect("frameworks:detail", key=framework.key)


def run_detail(request: HttpRequest, key: str, run_id: int) -> HttpResponse:
    framework = selectors.framework_get_visible(key=key, user=request.user)
    run = (
        ScoringRun.objects.filter(pk=run_id, framework_version__framework=framework)
        .select_related("framework_version")
        .first()
    )
    if run is None:
        # A run whose inputs were scored already is merged into that twin.
        current = selectors.current_run_for(framework)
        if current is None:
            raise Http404("No such run.")
        return redirect("frameworks:run", key=framework.key, run_id=current.pk)
    state = {
        "run": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "finished": run.status in FINISHED,
        "version": run.framework_version.version,
        "counts": run.counts,
        "timings": run.timings,
        "error": run.error if run.status == RunStatus.FAILED else "",
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
    if request.GET.get("format") == "json":
        return JsonResponse(state)
    return render(
        request,
        "frameworks/run_detail.html",
        {"framework": framework, "run": run, "state": state},
    )


@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def local_indicator_new(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _partnership_for(request, slug, Role.ANALYST)
    form = LocalIndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        indicator = local_indicator_create(
            partnership=partnership,
            name=form.cleaned_data["name"],
            unit=form.cleaned_data["unit"],
            polarity=form.cleaned_data["polarity"],
            description=form.cleaned_data["description"],
            actor=request.user,
        )
        messages.success(request, f"“{indicator.name}” defined. Now upload its figures.")
        return redirect(
            "frameworks:local-indicator-upload", slug=partnership.slug, indicator=indicator.slug
        )
    existing = (
        list(local_indicators_of(partnership).order_by("name")) if request.method == "GET" else []
    )
    return render(
        request,
        "frameworks/local_indicator_new.html",
        {"form": form, "partnership": partnership, "existing": existing},
        status=400 if request.method == "POST" else 200,
    )


@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def local_indicator_upload(request: HttpRequest, slug: str, indicator: str) -> HttpResponse:
    partnership = _partnership_for(request, slug, Role.ANALYST)
    target = get_object_or_404(local_indicators_of(partnership), slug=indicator)
    dataset = target.dataset  # each local indicator is its own series
    form = LocalUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind="local",
            uploaded_file=form.cleaned_data["file"],
            options={"dataset_slug": dataset.slug, "dataset_name": dataset.name},
            user=request.user,
            partnership=partnership,
        )
        return redirect("indicators:import-detail", pk=job.pk)
    return render(
        request,
        "frameworks/local_indicator_upload.html",
        {
            "form": form,
            "partnership": partnership,
            "indicator": target,
            "dataset": dataset,
            "builder_links": [
                f for f in Framework.objects.filter(partnership=partnership).order_by("name")
            ],
            "detail_url": reverse("indicators:detail", args=[target.slug]),
        },
        status=400 if request.method == "POST" else 200,
    )

"""Recompute the scores of every index framework that reads a dataset when it changes."""

from functools import partial
from typing import Any

from django.db import transaction

from frameworks.definitions import load_definition
from frameworks.models import FrameworkNode


def frameworks_using_dataset(dataset_slug: str) -> list[str]:
    direct = FrameworkNode.objects.filter(
        indicator__dataset__slug=dataset_slug, version__framework__is_index=True
    ).values_list("version__framework__key", flat=True)
    derived_nodes = FrameworkNode.objects.exclude(derived_key="").filter(
        version__framework__is_index=True
    )
    gaps = {g["slug"]: g["inputs"] for g in load_definition("equality_gaps")["gaps"]}
    from indicators.models import Indicator

    slugs = set(Indicator.objects.filter(dataset__slug=dataset_slug).values_list("slug", flat=True))
    via_gaps = [
        node.version.framework.key
        for node in derived_nodes.select_related("version__framework")
        if slugs & set(gaps.get(node.derived_key, []))
    ]
    return sorted(set(direct) | set(via_gaps))


def recompute_after_import(sender: Any, dataset_slug: str, **kwargs: Any) -> None:
    from scoring.tasks import scoring_recompute_task

    def dispatch(key: str) -> None:
        scoring_recompute_task.delay(key)

    for key in frameworks_using_dataset(dataset_slug):
        transaction.on_commit(partial(dispatch, key))

import json

from django.core.management.base import BaseCommand, CommandError

from frameworks.models import Framework
from scoring.adapters import COUNCILS, SMALL_AREAS
from scoring.services import scoring_recompute

SCOPES = {"tpi-2024": COUNCILS, "iod-small-areas": SMALL_AREAS}


class Command(BaseCommand):
    help = "Score the latest version of each index framework (unchanged inputs are skipped)."

    def add_arguments(self, parser):
        parser.add_argument("frameworks", nargs="*", help="Framework keys (default: all indexes)")
        parser.add_argument("--no-robustness", action="store_true")

    def handle(self, *args, frameworks=(), no_robustness=False, **options):
        chosen = Framework.objects.filter(is_index=True)
        if frameworks:
            chosen = chosen.filter(key__in=frameworks)
            missing = set(frameworks) - set(chosen.values_list("key", flat=True))
            if missing:
                raise CommandError(f"Unknown framework(s): {sorted(missing)}")
        for framework in chosen:
            version = framework.versions.order_by("-version").first()
            if version is None:
                continue
            run = scoring_recompute(
                version=version,
                scope=SCOPES.get(framework.key, COUNCILS),
                robustness=not no_robustness,
            )
            self.stdout.write(
                f"{framework.key}: run {run.pk} {run.status}, years {run.periods}, "
                f"{json.dumps(run.counts)}, timings {json.dumps(run.timings)}"
            )

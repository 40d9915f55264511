"""Benchmark: end-to-end recompute (database read → engine → database write) on PostgreSQL.

Council scale (TPI 2024, every English council, every year the data allow) and small-area
scale (IoD 2025 domains, ~33,700 LSOAs). Loads the real baseline into the benchmark
database if it is not there yet, then times fresh runs (a different k each time, so no
earlier run can be reused) and prints the read / engine / write split.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tpi_bench \
        .venv/bin/python bench/recompute_bench.py
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tpi_bench"


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    sys.argv = sys.argv[:1]
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpi_site.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    from frameworks.models import Framework
    from scoring.adapters import COUNCILS, SMALL_AREAS
    from scoring.engine import MethodSettings
    from scoring.services import scoring_run_create, scoring_run_execute

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_geography", verbosity=0)
    call_command("load_small_areas", verbosity=0)
    call_command("import_datasets", verbosity=0)
    call_command("sync_frameworks", verbosity=0)
    print(f"baseline ready in {time.perf_counter() - began:.1f}s")

    for key, scope, robust in (
        ("tpi-2024", COUNCILS, False),
        ("tpi-2024", COUNCILS, True),
        ("iod-small-areas", SMALL_AREAS, False),
    ):
        version = Framework.objects.get(key=key).versions.order_by("-version").first()
        assert version is not None, f"{key} has no version"
        k = 2.0 + (time.time() % 1) / 100  # a fresh method every run: nothing to reuse
        run = scoring_run_create(version=version, scope=scope, settings=MethodSettings(k=k))
        start = time.perf_counter()
        run = scoring_run_execute(run_id=run.pk, robustness=robust)
        total = time.perf_counter() - start
        t = run.timings
        print(
            f"{key:16} {scope:12} robustness={'on ' if robust else 'off'} "
            f"total {total:6.2f}s (read {t.get('read', 0):.2f}, engine {t.get('engine', 0):.2f}, "
            f"write {t.get('write', 0):.2f})  years {run.periods}  rows {run.counts}"
        )
    print("target: council scale under 10 s end to end")


if __name__ == "__main__":
    main()

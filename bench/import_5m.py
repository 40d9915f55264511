"""Benchmark: import 5 million observation rows into PostgreSQL, validation on.

Generates a local-format CSV (real LSOA 2021 codes × indicators × periods), imports it
through the same pipeline a partnership upload uses (LocalFileSource → validation →
COPY into the indexed observations table, one transaction), then loads the same file
with ``psql \\copy`` into a bare table with the same columns and no indexes, in the same
run. Prints rows per second for both, the ratio, and the import's peak memory (measured
in a child process, so file generation does not count).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tpi_bench .venv/bin/python bench/import_5m.py

Options: --rows N (default 5,000,000), --keep (keep the generated file).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tpi_bench"
INDICATORS = 15
DATASET = "bench-local"


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpi_site.settings.local")
    os.environ["TPI_MAX_UPLOAD_BYTES"] = str(4 * 1024**3)
    import django

    django.setup()


def _ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(url: str) -> list[str]:
    """Migrate, load real geography and LSOAs, create bench indicators; return LSOA codes."""
    _ensure_database(url)
    _setup_django(url)
    from django.core.management import call_command

    from indicators.models import Dataset, Indicator, Observation
    from places.models import AreaType, Place
    from places.services import geography_load, small_areas_load

    call_command("migrate", verbosity=0)
    geography_load()
    small_areas_load()
    dataset, _ = Dataset.objects.get_or_create(
        slug=DATASET, defaults={"name": "Benchmark local data", "is_local": True}
    )
    Observation.objects.filter(release__dataset=dataset).delete()
    dataset.releases.all().delete()
    for i in range(INDICATORS):
        Indicator.objects.update_or_create(
            slug=f"bench-indicator-{i:02d}",
            defaults={
                "dataset": dataset,
                "source_key": f"bench-indicator-{i:02d}",
                "name": f"Benchmark indicator {i}",
                "unit": "%",
                "min_value": 0,
                "max_value": 100,
            },
        )
    return sorted(
        Place.objects.filter(
            area_type=AreaType.LSOA, end_year__isnull=True, nation="E"
        ).values_list("code", flat=True)
    )


def generate(path: Path, codes: list[str], rows: int) -> int:
    """Write LSOA × indicator × period rows in the documented local format."""
    periods_needed = max(1, -(-rows // (len(codes) * INDICATORS)))
    periods = [str(2025 - k) for k in range(periods_needed)]
    rng = np.random.default_rng(20261128)
    place_array = np.array(codes)
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("place,indicator,period,value,lower_ci,upper_ci\n")
        for period in periods:
            for i in range(INDICATORS):
                take = min(len(codes), rows - written)
                if take <= 0:
                    break
                value = rng.uniform(5, 95, take).round(2)
                frame = pd.DataFrame(
                    {
                        "place": place_array[:take],
                        "indicator": f"bench-indicator-{i:02d}",
                        "period": period,
                        "value": value,
                        "lower_ci": (value - 2.5).round(2),
                        "upper_ci": (value + 2.5).round(2),
                    }
                )
                frame.to_csv(handle, header=False, index=False)
                written += take
    return written


def run_import(url: str, path: Path) -> None:
    """Child process: import the file and print timings and peak memory as JSON."""
    _setup_django(url)
    from indicators.importing import import_source
    from indicators.sources.local import LocalFileSource

    began = time.perf_counter()
    report = import_source(
        LocalFileSource(path, original_name=path.name, dataset_slug=DATASET, dataset_name="Bench")
    )
    seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "accepted": report.rows_accepted,
                "rejected": report.rows_rejected,
                "peak_mib": peak_kib / 1024,
            }
        )
    )


def run_copy(url: str, path: Path) -> float:
    """psql \\copy of the same file into a bare table with the same columns."""
    ddl = (
        "DROP TABLE IF EXISTS bench_bare; CREATE UNLOGGED TABLE bench_bare (place varchar(9), "
        "indicator varchar(160), period varchar(40), value double precision, "
        "lower_ci double precision, upper_ci double precision)"
    )
    subprocess.run(["psql", url, "-q", "-c", ddl], check=True)
    began = time.perf_counter()
    subprocess.run(
        [
            "psql",
            url,
            "-q",
            "-c",
            f"\\copy bench_bare FROM '{path}' WITH (FORMAT csv, HEADER true)",
        ],
        check=True,
    )
    seconds = time.perf_counter() - began
    subprocess.run(["psql", url, "-q", "-c", "DROP TABLE bench_bare"], check=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    if args.child_import:
        run_import(url, Path(args.child_import))
        return

    codes = prepare(url)
    workdir = Path(tempfile.mkdtemp(prefix="tpi-bench-"))
    path = workdir / "observations.csv"
    began = time.perf_counter()
    rows = generate(path, codes, args.rows)
    size_mib = path.stat().st_size / 1024**2
    print(f"generated {rows:,} rows ({size_mib:,.0f} MiB) in {time.perf_counter() - began:.1f}s")

    child = subprocess.run(
        [sys.executable, __file__, "--child-import", str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    copy_seconds = run_copy(url, path)

    ours = rows / result["seconds"]
    bare = rows / copy_seconds
    print(
        f"pipeline import : {result['seconds']:7.1f}s  {ours:>10,.0f} rows/s  "
        f"accepted {result['accepted']:,} rejected {result['rejected']:,}"
    )
    print(f"psql \\copy bare: {copy_seconds:7.1f}s  {bare:>10,.0f} rows/s")
    print(f"ratio (ours / raw COPY): {ours / bare:.0%}   target >= 40%")
    print(f"peak memory of the import process: {result['peak_mib']:,.0f} MiB   target < 2048 MiB")
    if not args.keep:
        path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()

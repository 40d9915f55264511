"""Bounded loopback load test: gunicorn (production settings) against the scored bench database.

Starts ``gunicorn tpi_site.wsgi -w 2`` on a free 127.0.0.1 port, then for a fixed duration per
endpoint drives it with a small keep-alive client (threads + http.client) and prints requests/s,
p50 and p95 latency, and each endpoint's throughput as a share of a trivial JSON endpoint (the
DRF API root, ``/api/``): the target is at least 50%. gunicorn is stopped at the end, also on
error. Nothing leaves the loopback interface.

    .venv/bin/python bench/load_bench.py [--duration 15] [--concurrency 8]

``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/tpi_bench) is prepared first,
so the script runs on a fresh machine: the database is created if missing, migrated, and
``manage.py load_baseline`` (real geography, data and a TPI 2024 scoring run) is run when no
current TPI 2024 run is there (about 10-20 minutes the first time; skipped afterwards).
``--skip-prepare`` measures the database as it is.
"""

import argparse
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
TRIVIAL = "/api/"
ENDPOINTS = [
    ("trivial JSON (API root)", TRIVIAL),
    ("scorecard page", "/places/E06000001/"),
    ("scores API", "/api/scores/?place=E06000001&year=2024"),
]
TARGET_RATIO = 0.5
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tpi_bench"


@dataclass
class Result:
    label: str
    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def manage(*args: str) -> str:
    """Run a management command against the bench database; its stdout."""
    env = {**os.environ, "DATABASE_URL": database_url()}
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def prepare() -> None:
    """Create, migrate and load the bench database when it is missing or empty."""
    import psycopg
    from psycopg import sql

    url = urlsplit(database_url())
    name = url.path.lstrip("/")
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"creating database {name}", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print("migrating", flush=True)
    manage("migrate", "--noinput", "-v", "0")
    probe = (
        "from scoring.selectors import current_run;"
        "print('yes' if current_run(framework='tpi-2024', scope='councils') else 'no')"
    )
    if manage("shell", "-c", probe).strip().endswith("yes"):
        return
    print("no TPI 2024 run: loading the real baseline (load_baseline)", flush=True)
    started = time.monotonic()
    manage("load_baseline")
    print(f"baseline loaded in {time.monotonic() - started:.0f}s", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_gunicorn(port: int, workers: int, public_cache: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tpi_site.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48)[:64],
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "False",
        # HTML and JSON only: no collectstatic, so whitenoise's missing-root warning is noise.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        "DATABASE_URL": database_url(),
        # Persistent connections, as a production deployment would run: without them each
        # request pays a new PostgreSQL connection (a few ms), which the trivial endpoint,
        # touching no table, never does.
        "CONN_MAX_AGE": os.environ.get("BENCH_CONN_MAX_AGE", "60"),
        # The shared cache a deployment has (Redis); with the public response cache off,
        # every request renders (explorer/public_cache.py).
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    }
    if not public_cache:
        env["TPI_PUBLIC_CACHE_PREFIXES"] = ""
    command = [
        str(GUNICORN),
        "tpi_site.wsgi",
        "-w",
        str(workers),
        "-b",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the arbiter stops its own workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path, headers={"Host": HOST, "Accept": "*/*"})
    response = conn.getresponse()
    response.read()
    return response.status


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            status = get(conn, TRIVIAL)
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {HOST}:{port} within {timeout:.0f}s")


def check(port: int) -> None:
    """Each endpoint answers 200 before it is measured (a fast error page is no benchmark)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        for label, path in ENDPOINTS:
            status = get(conn, path)
            if status != 200:
                raise RuntimeError(f"{label} {path} answered {status}, not 200")
    finally:
        conn.close()


def drive(port: int, label: str, path: str, duration: float, concurrency: int) -> Result:
    lock = threading.Lock()
    result = Result(label, path, duration)
    stop_at = time.monotonic() + duration

    def worker() -> None:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = get(conn, path)
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            elapsed = time.perf_counter() - started
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 60)
    result.seconds = time.monotonic() - started
    return result


def report(results: list[Result], args: argparse.Namespace, mode: str) -> bool:
    print(
        f"\n{mode}: {args.workers} gunicorn workers (sync), {args.concurrency} keep-alive "
        f"clients, {args.duration:.0f}s per endpoint, loopback\n"
    )
    header = f"{'endpoint':<26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    trivial = results[0].rps
    ok = True
    for r in results:
        ratio = r.rps / trivial if trivial else float("nan")
        if r.path != TRIVIAL and not ratio >= TARGET_RATIO:
            ok = False
        print(
            f"{r.label:<26} {r.rps:>8.1f} {r.percentile(0.5) * 1000:>8.1f} "
            f"{r.percentile(0.95) * 1000:>8.1f} {r.errors:>7} {ratio:>7.0%}"
        )
    for r in results:
        print(f"  {r.label}: {r.path} ({len(r.latencies)} OK, statuses {r.statuses})")
    verdict = "met" if ok else "NOT met"
    print(
        f"\nTarget: every endpoint ≥ {TARGET_RATIO:.0%} of the trivial endpoint's req/s: {verdict}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per endpoint")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per endpoint")
    parser.add_argument("--skip-prepare", action="store_true", help="do not migrate or load")
    parser.add_argument(
        "--public-cache",
        choices=["on", "off", "both"],
        default="both",
        help="serve anonymous pages from the shared response cache (default: measure both)",
    )
    args = parser.parse_args()
    if not 0 < args.duration <= 120 or not 0 < args.concurrency <= 64:
        parser.error("keep it bounded: duration in (0, 120], concurrency in (0, 64]")

    if not args.skip_prepare:
        prepare()
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.public_cache]
    for public_cache in modes:
        port = free_port()
        process = start_gunicorn(port, args.workers, public_cache)
        try:
            wait_ready(port, process)
            check(port)
            for _label, path in ENDPOINTS:
                drive(port, "warm-up", path, args.warmup, args.concurrency)
            results = [
                drive(port, label, path, args.duration, args.concurrency)
                for label, path in ENDPOINTS
            ]
        finally:
            stop_gunicorn(process)
        mode = "public response cache ON" if public_cache else "public response cache OFF"
        report(results, args, mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())

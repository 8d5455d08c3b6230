"""`make bench`: the portal under load on PostgreSQL at 10 000 and 100 000 offers.

For each size it seeds the benchmark database (``seed_volume``), serves the
portal with gunicorn (2 sync workers, production settings, DEBUG off) next to a
Celery worker with beat (the dashboard snapshots are refreshed as in
production), signs in a manager, a sales rep and a superuser (the session and CSRF cookies a browser sends),
drives every page with wrk and counts each page's queries in a separate pass
with Django's test client. It prints one table and writes it to
bench/results/<date>-<hostname>.md.

R is a page's requests per second divided by the trivial view's, measured in
the same run: a login-free Django view that returns "ok" (routed at
/dashboard/bench/trivial/ only when BENCH_TRIVIAL_VIEW=true), so R says how
much a page costs on top of Django's own floor on this machine.

Environment (all optional): BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_PORT,
BENCH_SIZES ("10000,100000"), BENCH_DURATION (seconds per page, 10),
BENCH_CONNECTIONS (8), BENCH_KEEP_DB=1 (reuse the seeded database).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
LOGS = Path(os.environ.get("BENCH_LOGS") or Path(tempfile.gettempdir()) / "handoff-bench-logs")
LUA = ROOT / "bench" / "report.lua"
BUILT_LUA = ROOT / "bench" / "built.lua"

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/handoff_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
PORT = int(os.environ.get("BENCH_PORT", "8106"))
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CEILING_DURATION = max(3, DURATION // 2)
WARMUP = 2
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
THREADS = 2
WORKERS = 2

# name, who, path (filled per size), target R, note
TARGETS = {
    "trivial view (ceiling)": None,
    "empty signed-in page (layout floor)": None,
    "dashboard, manager, unfiltered": 0.25,
    "dashboard, manager, one rep": 0.10,
    "dashboard, rep's own": 0.10,
    "offer list page": 0.08,
    "/api/v1/offers/": 0.08,
    "offer detail": 0.08,
    "handoff page": 0.08,
    "project page": 0.08,
    "search": 0.08,
    "admin offer change list": None,
}
# Every page is built from the database on every request (there is no page cache: it earned less
# than 20% in the A/B, bench/results/), so no page needs a second, "built" row any more.
BUILT = " (built)"


@dataclass
class Page:
    name: str
    who: str  # "", "manager", "rep", "admin"
    path: str
    built: bool = False  # a query string of its own per request (bench/built.lua)


@dataclass
class Result:
    page: Page
    status: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    errors: int = 0
    queries: int | None = None
    note: str = ""
    # The trivial view's req/s measured just before this page (R's denominator).
    ceiling_rps: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.rps > 0


@dataclass
class Run:
    offers: int
    seed_seconds: float
    results: list[Result] = field(default_factory=list)
    ceiling_spread: tuple[float, float] = (0.0, 0.0)

    def r(self, result: Result) -> float | None:
        return result.rps / result.ceiling_rps if result.ok and result.ceiling_rps else None


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": DATABASE_URL,
            "SECRET_KEY": SECRET_KEY,
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "BENCH_TRIVIAL_VIEW": "true",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    if REDIS_OK:
        env["REDIS_URL"] = REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def manage(*args: str, capture: bool = False) -> str:
    completed = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment(),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return completed.stdout or ""


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def reset_database() -> None:
    """Drop and create the benchmark database (it is the benchmark's own: handoff_bench)."""
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not name.startswith("handoff_bench"):
        raise SystemExit(f"Refusing to reset {name!r}: the benchmark database must be called handoff_bench*.")
    import psycopg

    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def offer_count() -> int:
    output = manage("shell", "-c", "from handoff.models import Offer; print(Offer.objects.count())", capture=True)
    return int(output.strip().splitlines()[-1])


PREPARE = r"""
import json
from django.test import Client
from accounts.models import User
from handoff.models import Handoff, Offer
from projects.models import Project

# What a signed-in browser sends: the session and the CSRF cookie set by the first page it saw.
def cookie(username):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get("/")
    return "; ".join(f"{name}={client.cookies[name].value}" for name in ("sessionid", "csrftoken"))

rep = User.objects.get(username="vol_rep01")
# Middle-of-the-range records with everything attached: a won offer whose handoff became a project.
projects = Project.objects.filter(offer__risks__isnull=False, offer__commitments__isnull=False).order_by("id")
project = projects[projects.count() // 2]
handoff = Handoff.objects.filter(status="pending").order_by("id")
handoff = handoff[handoff.count() // 2] if handoff.exists() else project.handoff
print("JSON" + json.dumps({
    "cookies": {"manager": cookie("vol_manager"), "rep": cookie("vol_rep01"), "admin": cookie("vol_admin")},
    "rep_id": rep.pk,
    "offer_id": project.offer_id,
    "handoff_id": handoff.pk,
    "project_id": project.pk,
}))
"""

QUERIES = r"""
import json, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User

pages = json.loads(sys.stdin.read())
clients = {}
counts = {}
for name, who, path, built in pages:
    if who not in clients:
        client = Client(HTTP_HOST="127.0.0.1")
        if who:
            client.force_login(User.objects.get(username={"manager": "vol_manager", "rep": "vol_rep01", "admin": "vol_admin"}[who]))
        clients[who] = client
    client = clients[who]
    client.get(path)  # warm: the steady state under load, as gunicorn's workers are
    if built:  # a query string of its own
        path += ("&" if "?" in path else "?") + "built=count"
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    counts[name] = [response.status_code, len(context.captured_queries)]
print("JSON" + json.dumps(counts))
"""


def prepare() -> dict:
    output = manage("shell", "-c", PREPARE, capture=True)
    return json.loads(output.split("JSON", 1)[1])


def pages_for(info: dict) -> list[Page]:
    pages = [
        Page("trivial view (ceiling)", "", "/dashboard/bench/trivial/"),
        Page("empty signed-in page (layout floor)", "manager", "/dashboard/bench/layout/"),
        Page("dashboard, manager, unfiltered", "manager", "/dashboard/"),
        Page("dashboard, manager, one rep", "manager", f"/dashboard/?rep={info['rep_id']}"),
        Page("dashboard, rep's own", "rep", "/dashboard/"),
        Page("offer list page", "manager", "/offers/"),
        Page("/api/v1/offers/", "manager", "/api/v1/offers/"),
        Page("offer detail", "manager", f"/offers/{info['offer_id']}/"),
        Page("handoff page", "manager", f"/handoffs/{info['handoff_id']}/"),
        Page("project page", "manager", f"/projects/{info['project_id']}/"),
        Page("search", "manager", "/search/?q=Cloud"),
        Page("admin offer change list", "admin", "/admin/handoff/offer/"),
    ]
    return pages


def count_queries(pages: list[Page]) -> dict[str, list[int]]:
    completed = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", QUERIES],
        cwd=ROOT,
        env=environment(),
        input=json.dumps([[page.name, page.who, page.path, page.built] for page in pages]),
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    return json.loads(completed.stdout.split("JSON", 1)[1])


class Servers:
    """gunicorn (2 workers) and, when Redis is there, a Celery worker with beat."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Servers:
        logs = LOGS
        logs.mkdir(parents=True, exist_ok=True)
        gunicorn = [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(logs / "gunicorn.log"),
        ]
        self.processes.append(subprocess.Popen(gunicorn, cwd=ROOT, env=environment(), start_new_session=True))
        if REDIS_OK:
            celery = [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-B",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
            ]
            celery += ["--schedule", str(logs / "celerybeat-schedule")]
            with open(logs / "celery.log", "a") as out:
                self.processes.append(
                    subprocess.Popen(
                        celery, cwd=ROOT, env=environment(), stdout=out, stderr=out, start_new_session=True
                    )
                )
        for _ in range(100):
            if port_open("127.0.0.1", PORT):
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"gunicorn did not start; see {LOGS}/gunicorn.log")
        time.sleep(1)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            with_pgid = process.pid
            try:
                os.killpg(with_pgid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def fetch_status(page: Page, cookies: dict[str, str]) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{page.path}")
    if page.who:
        request.add_header("Cookie", cookies[page.who])

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wrk(page: Page, cookies: dict[str, str], seconds: int) -> dict:
    command = [
        "wrk",
        "-t",
        str(THREADS),
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BUILT_LUA if page.built else LUA),
    ]
    if page.who:
        command += ["-H", f"Cookie: {cookies[page.who]}"]
    command.append(f"http://127.0.0.1:{PORT}{page.path}")
    output = subprocess.run(command, cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE).stdout
    return json.loads(output.split("JSON", 1)[1])


def measure(offers: int, seed_seconds: float) -> Run:
    run = Run(offers=offers, seed_seconds=seed_seconds)
    info = prepare()
    pages = pages_for(info)
    log("counting queries per page (Django test client, separate pass)")
    queries = count_queries(pages)
    trivial = pages[0]
    ceilings: list[float] = []
    with Servers():
        for page in pages:
            result = Result(page=page)
            result.status = fetch_status(page, info["cookies"])
            status, count = queries.get(page.name, [0, None])
            result.queries = count if status == 200 else None
            if result.status != 200:
                result.note = f"HTTP {result.status}: page missing or failing, not measured"
                log(f"{page.name}: {result.note}")
                run.results.append(result)
                continue
            # The ceiling right before each page: R then compares two measurements taken under the
            # same background load, whatever else the machine is doing during the run.
            wrk(trivial, info["cookies"], WARMUP)
            ceiling = wrk(trivial, info["cookies"], CEILING_DURATION)
            result.ceiling_rps = ceiling["requests"] / (ceiling["duration_us"] / 1e6)
            ceilings.append(result.ceiling_rps)
            wrk(page, info["cookies"], WARMUP)
            report = wrk(page, info["cookies"], DURATION)
            result.rps = report["requests"] / (report["duration_us"] / 1e6)
            result.p50_ms = report["p50"] / 1000
            result.p95_ms = report["p95"] / 1000
            result.errors = report["errors"] + report["non2xx"]
            if result.errors:
                result.note = f"{result.errors} failed requests"
            log(
                f"{page.name}: {result.rps:.0f} req/s (ceiling {result.ceiling_rps:.0f}), "
                f"p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms"
            )
            run.results.append(result)
    run.ceiling_spread = (min(ceilings), max(ceilings)) if ceilings else (0.0, 0.0)
    return run


def seed_to(target: int) -> float:
    have = offer_count()
    if have >= target:
        log(f"{have} offers already there")
        return 0.0
    log(f"seed_volume --offers {target - have}")
    started = time.monotonic()
    manage("seed_volume", "--offers", str(target - have), "--seed", str(target))
    return time.monotonic() - started


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def table(runs: list[Run]) -> str:
    first, last = runs[0], runs[-1]
    head = ["page", "target R"]
    for run in runs:
        size = f"{run.offers // 1000}k"
        head += [f"req/s {size}", f"p50 ms {size}", f"p95 ms {size}", f"queries {size}", f"R {size}"]
    head += [f"R growth {first.offers // 1000}k→{last.offers // 1000}k", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for index, page_result in enumerate(first.results):
        name = page_result.page.name
        target = TARGETS.get(name)
        row = [name, fmt(target) if target else "—"]
        per_run = [run.results[index] for run in runs]
        for run, result in zip(runs, per_run, strict=True):
            if result.ok:
                row += [
                    f"{result.rps:.0f}",
                    f"{result.p50_ms:.1f}",
                    f"{result.p95_ms:.1f}",
                    fmt(result.queries, "d"),
                    fmt(run.r(result)),
                ]
            else:
                row += [result.note or "not measured", "", "", fmt(result.queries, "d"), ""]
        r_first, r_last = first.r(per_run[0]), last.r(per_run[-1])
        growth = r_last / r_first if r_first and r_last else None
        row.append(fmt(growth))
        row.append(verdict(name, target, last.r(per_run[-1]), growth, per_run[-1], index))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def verdict(name: str, target: float | None, r: float | None, growth: float | None, result: Result, index: int) -> str:
    if index == 0:
        return "ceiling"
    if index == 1:
        return "reference: what every signed-in page costs at least"
    if name.endswith(BUILT):
        return "reference: the first view after a change"
    if r is None:
        return "not measured"
    problems = []
    if target and r < target:
        problems.append(f"R {r:.2f} < {target:.2f}")
    if growth is not None and growth < 0.8:
        problems.append(f"growth {growth:.2f} < 0.8")
    if result.p95_ms >= 250:
        problems.append(f"p95 {result.p95_ms:.0f} ms ≥ 250")
    return "ok" if not problems else "; ".join(problems)


def list_vs_admin(runs: list[Run]) -> str:
    lines = []
    for run in runs:
        by_name = {result.page.name: result for result in run.results}
        offers, admin = by_name.get("offer list page"), by_name.get("admin offer change list")
        if offers and admin and offers.ok and admin.ok:
            ratio = offers.rps / admin.rps
            lines.append(
                f"- {run.offers} offers: offer list {offers.rps:.0f} req/s vs admin change list {admin.rps:.0f} req/s "
                f"= {ratio:.1f}x (target ≥ 2x: {'ok' if ratio >= 2 else 'missed'})"
            )
        else:
            lines.append(f"- {run.offers} offers: offer list or admin change list not measured")
    return "\n".join(lines)


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import psycopg

    with psycopg.connect(DATABASE_URL) as connection:
        version = connection.info.server_version
    pg = f"{version // 10000}.{version % 10000}"
    return f"{platform.node()}: {cpus} CPUs ({model}), Python {platform.python_version()}, PostgreSQL {pg}"


def main() -> None:
    global SECRET_KEY, REDIS_OK
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (bench/run.sh installs it with apt-get)")
    SECRET_KEY = secrets.token_urlsafe(64)
    redis = urlsplit(REDIS_URL)
    REDIS_OK = port_open(redis.hostname or "127.0.0.1", redis.port or 6379)
    if not REDIS_OK:
        log(f"Redis not reachable at {REDIS_URL}: no beat, dashboard snapshots refresh on read (slower)")
    if os.environ.get("BENCH_KEEP_DB") != "1":
        log(f"resetting {DATABASE_URL}")
        reset_database()
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    runs = []
    for size in SIZES:
        seconds = seed_to(size)
        log(f"measuring at {size} offers")
        runs.append(measure(size, seconds))
    started = datetime.datetime.now()
    body = [
        f"# Benchmark {started:%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine()}.",
        f"gunicorn {WORKERS} sync workers, config.settings.production (DEBUG off), wrk {THREADS} threads / "
        f"{CONNECTIONS} connections, {DURATION} s per page after {WARMUP} s warm-up; "
        f"Celery worker + beat {'running' if REDIS_OK else 'NOT running (no Redis)'}.",
        f"R = a page's req/s ÷ the trivial view's req/s measured ({CEILING_DURATION} s) right before it in the "
        "same run, so both see the same background load. Queries per request: Django test client, second "
        "request of each page (the steady state of a warm worker).",
        "Trivial view req/s over the run: "
        + "; ".join(f"{run.offers} offers {run.ceiling_spread[0]:.0f} to {run.ceiling_spread[1]:.0f}" for run in runs)
        + ".",
        "",
        table(runs),
        "",
        "Offer list vs Django admin's change list:",
        list_vs_admin(runs),
        "",
        "Seeding: " + "; ".join(f"up to {run.offers} offers: {run.seed_seconds:.1f} s" for run in runs),
        "",
        f"Load (1/5/15 min) at the end: {os.getloadavg()}",
    ]
    report = "\n".join(body) + "\n"
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{started:%Y-%m-%d}-{platform.node()}.md"
    path.write_text(report)
    log(f"written to {path.relative_to(ROOT)}")


SECRET_KEY = ""
REDIS_OK = False

if __name__ == "__main__":
    sys.exit(main())

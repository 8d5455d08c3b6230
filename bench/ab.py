"""A/B of server variants on the same machine in one run: the mixed load and the layout floor.

``.venv/bin/python bench/ab.py --arm LABEL=ROOT[:KEY=VALUE,...] --arm ... [--clients 16,32]
[--duration 25] [--rounds 1] [--floor 400] [--out FILE]``

An arm is a checkout (a directory, or a git revision checked out into a temporary worktree) and
the environment its server gets, e.g. ``--arm main=/work/main --arm new=HEAD`` or
``--arm portal=.:DJANGO_SETTINGS_MODULE=bench.ab_settings --arm django-sessions=.:DJANGO_SETTINGS_MODULE=bench.ab_settings,AB_PLAIN_SESSIONS=1``
(see bench/ab_settings.py). For every client count the arms take turns (round after round, so
drift on a shared machine hits all of them alike), each with ``bench/load.py`` (its own
database, gunicorn with 2 workers, the same clients). ``--floor N`` also times N requests of the
empty signed-in page (the layout floor, ``/dashboard/bench/layout/``) per arm in process,
on a database seeded by the load run. The table goes to stdout and ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DATABASE = os.environ.get("AB_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/handoff_load_ab")
CACHE_URL = os.environ.get("AB_CACHE_URL", "redis://127.0.0.1:6379/9")

TEMPLATES: set[str] = set()

# One process per arm, kept running: the arms take turns in short blocks, so a machine whose load
# drifts (other jobs) slows every arm alike. Each "N" on stdin answers the ms per request of N
# requests of the layout floor (and of the trivial view, for scale).
FLOOR = r"""
import json, sys, time
from django.test import Client
from accounts.models import User
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="vol_manager"))
for path in ("/dashboard/bench/layout/", "/dashboard/bench/trivial/"):
    assert client.get(path).status_code == 200, path
print("READY", flush=True)
for line in sys.stdin:
    n = int(line)
    out = {}
    for path in ("/dashboard/bench/layout/", "/dashboard/bench/trivial/"):
        started = time.perf_counter()
        for _ in range(n):
            client.get(path)
        out[path] = (time.perf_counter() - started) * 1000 / n
    print("JSON" + json.dumps(out), flush=True)
"""


def log(message: str) -> None:
    print(f"[ab {time.strftime('%H:%M:%S')}] {message}", flush=True)


def checkout(rev: str) -> Path:
    if Path(rev).is_dir():
        return Path(rev).resolve()
    sha = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True, text=True, capture_output=True).stdout.strip()
    path = Path(tempfile.gettempdir()) / f"handoff-ab-{sha[:10]}"
    if not path.exists():  # an export, not a worktree: nothing is registered in the repository
        path.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(path)], input=archive, check=True)
    return path


def parse_arm(spec: str) -> tuple[str, Path, dict[str, str]]:
    label, rest = spec.split("=", 1)
    rev, _, env = rest.partition(":")
    extra = dict(item.split("=", 1) for item in env.split(",") if item)
    return label, checkout(rev), extra


def run_load(root: Path, extra: dict[str, str], clients: int, duration: float, database: str) -> dict | None:
    # Arms of one checkout share its migrated and seeded database: each run starts from a copy.
    template = f"{database.rsplit('/', 1)[1]}_tpl_{abs(hash(str(root))) % 10**8}"  # str hashes differ per run
    TEMPLATES.add(template)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [PYTHON, str(ROOT / "bench" / "load.py"), "--duration", str(duration), "--clients", str(clients)]
        command += ["--json", out.name, "--server-root", str(root)]
        for key, value in extra.items():
            command += ["--env", f"{key}={value}"]
        env = {
            **os.environ,
            "LOAD_DATABASE_URL": database,
            "LOAD_CACHE_URL": CACHE_URL,
            "LOAD_PAGE_CACHE_URL": CACHE_URL,  # the same Redis database for a checkout whose load.py still asks
            "LOAD_TEMPLATE_DB": template,
        }
        completed = subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=True)
        if not Path(out.name).stat().st_size:  # reported, and the other arms go on
            log(f"load.py failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
            return None
        return json.loads(Path(out.name).read_text())


def start_floor(root: Path, extra: dict[str, str], database: str) -> subprocess.Popen:
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database,
        "CACHE_URL": CACHE_URL,
        "DEBUG": "false",
        "BENCH_TRIVIAL_VIEW": "true",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(root),
        **extra,
    }
    process = subprocess.Popen(
        [PYTHON, "manage.py", "shell", "-c", FLOOR],
        cwd=root,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    for line in process.stdout:  # anything the start-up prints (log lines) comes first
        if line.strip() == "READY":
            return process
    raise SystemExit(f"the floor process of {root} did not start")


def floor_block(process: subprocess.Popen, requests: int) -> dict:
    process.stdin.write(f"{requests}\n")
    process.stdin.flush()
    for line in process.stdout:
        if line.startswith("JSON"):
            return json.loads(line[4:])
    raise SystemExit("a floor process stopped")


def drop_templates() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(DATABASE.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        for name in TEMPLATES:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--arm", action="append", required=True)
    parser.add_argument("--clients", default="16,32")
    parser.add_argument("--duration", type=float, default=25.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--floor", type=int, default=0, help="layout-floor requests per block and arm (0: none)")
    parser.add_argument("--floor-blocks", type=int, default=20, help="blocks per arm, the arms in turn")
    parser.add_argument("--no-load", action="store_true", help="only the layout floor")
    parser.add_argument("--seeded", action="store_true", help="AB_DATABASE_URL is seeded already (floor only)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    arms = [parse_arm(spec) for spec in args.arm]
    loads: dict[tuple[str, int], list[dict]] = {}
    floors: dict[str, list[dict]] = {}
    for round_ in range(args.rounds):
        for clients in [] if args.no_load else [int(c) for c in args.clients.split(",")]:
            for label, root, extra in arms if round_ % 2 == 0 else arms[::-1]:  # ABBA: drift hits all
                log(f"round {round_ + 1}, {clients} clients: {label} ({root}, {extra or 'no extra env'})")
                result = run_load(root, extra, clients, args.duration, DATABASE)
                if result is None:
                    continue
                loads.setdefault((label, clients), []).append(result)
                log(
                    f"  {result['requests_per_s']:.1f} req/s, p95 {result['p95_ms']:.0f} ms, "
                    f"{result['errors']} errors, {len(result['writes']['lost'])} lost, {len(result['stale_pages'])} stale"
                )
    if args.floor:
        if args.no_load and not args.seeded:  # a database for the floor: one short load run seeds it
            run_load(arms[0][1], arms[0][2], 4, 1, DATABASE)
        processes = {label: start_floor(root, extra, DATABASE) for label, root, extra in arms}
        for block in range(args.floor_blocks):
            # ABC, CBA, ABC...: no arm always goes first after another
            order = arms if block % 2 == 0 else arms[::-1]
            for label, _, _ in order:
                floors.setdefault(label, []).append(floor_block(processes[label], args.floor))
        for process in processes.values():
            process.stdin.close()
            process.wait(timeout=30)
        for label, _, _ in arms:
            log(
                f"  floor {label}: layout {statistics.median(f['/dashboard/bench/layout/'] for f in floors[label]):.2f} ms"
            )
    lines = [
        f"# A/B {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Machine: {os.uname().nodename}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end.",
        "Arms: "
        + "; ".join(f"**{label}** = {root}" + (f" with {extra}" if extra else "") for label, root, extra in arms),
        "",
    ]
    if loads:
        lines += [
            f"Mixed load (bench/load.py, {args.duration:.0f} s per arm, {args.rounds} round(s), arms in turn; "
            "mean over rounds):",
            "",
            "| arm | clients | req/s | vs first arm | p50 ms | p95 ms | errors | lost writes | stale pages |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for clients in sorted({c for _, c in loads}):
            base = None
            for label, _, _ in arms:
                results = loads.get((label, clients))
                if not results:
                    lines.append(f"| {label} | {clients} | failed | | | | | | |")
                    continue
                rps = statistics.mean(r["requests_per_s"] for r in results)
                base = base or rps
                lines.append(
                    f"| {label} | {clients} | {rps:.1f} | {rps / base - 1:+.0%} | "
                    f"{statistics.mean(r['p50_ms'] for r in results):.0f} | "
                    f"{statistics.mean(r['p95_ms'] for r in results):.0f} | {sum(r['errors'] for r in results)} | "
                    f"{sum(len(r['writes']['lost']) for r in results)} | {sum(len(r['stale_pages']) for r in results)} |"
                )
        lines.append("")
    if floors:
        lines += [
            f"Layout floor in process (Django test client, one process per arm, {args.floor_blocks} blocks of "
            f"{args.floor} requests of /dashboard/bench/layout/ per arm, the arms in turn; median of the blocks; "
            "the trivial view for scale):",
            "",
            "| arm | layout ms/request | vs first arm | trivial ms/request |",
            "| --- | ---: | ---: | ---: |",
        ]
        base = None
        for label, _, _ in arms:
            layout = statistics.median(f["/dashboard/bench/layout/"] for f in floors[label])
            trivial = statistics.median(f["/dashboard/bench/trivial/"] for f in floors[label])
            base = base or layout
            lines.append(f"| {label} | {layout:.2f} | {layout / base - 1:+.0%} | {trivial:.2f} |")
        lines.append("")
    drop_templates()
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a") as out:
            out.write(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

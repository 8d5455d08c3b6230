"""Mixed traffic against gunicorn on PostgreSQL: zero errors, zero lost writes, p95 (issue 7, "Load").

``python bench/load.py [--duration 60] [--clients 32] [--json out.json]``; `make bench`
runs the full minute, the CI runs 15 seconds (tests/quality/test_load.py).

It resets the load database (its name must contain "load"), migrates it, seeds
it (``seed_volume``), signs the users in (a session cookie for the pages, an
API token for the writes), wins sent offers so that handoffs wait for a PM,
starts gunicorn (2 sync workers; base settings, DEBUG off, tasks eager, e-mail
to nowhere) and runs the clients for the duration, each a thread with its own
HTTP session:

- reps (half the clients) browse the offer list and their offers, edit their
  offers through the API (PATCH with the version they read) and add
  commitments; each rep edits only offers no other client edits, so every
  answer but 200/201 is an error; after each acknowledged edit the rep opens
  the offer page, which must show the new summary at once;
- PMs (a quarter) accept pending handoffs through the API: an unassigned
  handoff is contested by every PM, so a 409 "already accepted" is an
  expected outcome (counted apart), never a second 201; they open the
  handoff and project pages too;
- managers (the rest) read the dashboards and the API lists.

Afterwards every acknowledged write is looked up in the database: each edited
offer holds the last version and summary its client was answered with and one
"offer_updated" activity row per acknowledged edit; each acknowledged
commitment exists with its text; each handoff acknowledged as accepted has
exactly one project, of the PM who was answered 201. The exit status is 1 on
any error, lost write or stale page.

Environment: LOAD_DATABASE_URL (postgres://postgres@127.0.0.1:5432/handoff_load),
LOAD_PORT (a free port), LOAD_OFFERS (2000 offers seeded), LOAD_LOGS (gunicorn's log),
LOAD_CACHE_URL (redis://127.0.0.1:6379/6: the shared cache, sessions and throttles, emptied first;
unreachable: each process its own),
LOAD_TEMPLATE_DB (a database name with "load" in it: the first run keeps its migrated, seeded
database under that name and later runs start from a copy, which an A/B of many arms needs).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
WORKERS = 2
TIMEOUT = 30  # seconds a client waits for one answer before counting an error
CACHE_URL = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/6")


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The server side ---------------------------------------------------------------------------
# The code the server runs: this checkout, or another one (``--server-root``) for an A/B on the same clients.
SERVER_ROOT = ROOT


def environment(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_POOL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "EMAIL_URL": "dummy://",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(SERVER_ROOT),
        }
    )
    env.update(cache_environment())
    env.update(extra or {})
    return env


def cache_environment() -> dict[str, str]:
    """The shared cache on its own Redis database, emptied, when Redis is there (tasks stay eager)."""
    import redis

    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError:
        return {}
    return {"CACHE_URL": CACHE_URL}


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=SERVER_ROOT, env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}")
    return completed.stdout


def reset_database(database_url: str, template: str | None = None) -> bool:
    """Drop and create the load database, as a copy of ``template`` when that exists (then True)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "load" not in name:
        raise SystemExit(f"Refusing to reset {name!r}: the load database's name must contain 'load'.")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if template and not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            return False
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            )
            return True
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def save_template(database_url: str, template: str) -> None:
    """Keep the migrated, seeded database as ``template`` (LOAD_TEMPLATE_DB): the next runs copy it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    if "load" not in template:
        raise SystemExit(f"Refusing to write {template!r}: the template's name must contain 'load'.")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(template)))
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(template), sql.Identifier(parts.path.lstrip("/"))
            )
        )


PREPARE = r"""
import json, sys
from django.test import Client
from rest_framework.authtoken.models import Token
from accounts.models import User
from clients.models import Client as Account
from handoff.models import Handoff, Offer, OfferStatus
from handoff.services.handoffs import offer_win
from handoff.services.offers import offer_create

plan = json.loads(sys.stdin.read())

def login(user):
    browser = Client()
    browser.force_login(user)
    return {"id": user.pk, "username": user.username, "session": browser.cookies["sessionid"].value,
            "token": Token.objects.get_or_create(user=user)[0].key}

reps = list(User.objects.filter(username__startswith="vol_rep").order_by("username")[: plan["reps"]])
pms = list(User.objects.filter(username__startswith="vol_pm").order_by("username")[: plan["pms"]])
managers = list(User.objects.filter(username="vol_manager"))

rep_offers = {}
for rep in reps:
    offers = list(Offer.objects.filter(owner=rep, status__in=[OfferStatus.DRAFT, OfferStatus.REVIEW])
                  .order_by("id").values_list("id", flat=True)[:6])
    client = Account.objects.filter(account_owner=rep).order_by("id").first()
    while len(offers) < 3:
        offers.append(offer_create(actor=rep, client=client, title=f"Load offer {len(offers)}").pk)
    rep_offers[rep.pk] = [[pk, version] for pk, version in
                          Offer.objects.filter(pk__in=offers).order_by("id").values_list("id", "version")]

# Pending handoffs for the PMs, won through the service (snapshot, activity, notifications).
sent = list(Offer.objects.filter(status=OfferStatus.SENT).order_by("id").values_list("id", flat=True)[: plan["handoffs"]])
if len(sent) < plan["handoffs"]:
    extra = list(Offer.objects.filter(status__in=[OfferStatus.LOST, OfferStatus.WITHDRAWN], handoff__isnull=True)
                 .order_by("id").values_list("id", flat=True)[: plan["handoffs"] - len(sent)])
    Offer.objects.filter(pk__in=extra).update(status=OfferStatus.SENT, closed_at=None)
    sent += extra
handoffs = []
for index, offer in enumerate(Offer.objects.filter(pk__in=sent).select_related("owner")):
    handoff = offer_win(offer=offer, actor=offer.owner)
    # Two in three unassigned (every PM may accept: contested), the rest assigned to one load PM.
    pm = None if index % 3 else pms[index // 3 % len(pms)]
    Handoff.objects.filter(pk=handoff.pk).update(pm=pm)
    handoffs.append([handoff.pk, pm.pk if pm else None])

print("JSON" + json.dumps({
    "reps": [login(user) for user in reps],
    "pms": [login(user) for user in pms],
    "managers": [login(user) for user in managers],
    "rep_offers": rep_offers,
    "handoffs": handoffs,
    "all_reps": list(User.objects.filter(username__startswith="vol_rep").values_list("id", flat=True)),
    "offer_ids": list(Offer.objects.order_by("?").values_list("id", flat=True)[:50]),
}))
"""


class Gunicorn:
    def __init__(self, env: dict[str, str], port: int, logs: Path) -> None:
        self.env, self.port, self.logs = env, port, logs
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> str:
        self.logs.mkdir(parents=True, exist_ok=True)
        command = [str(BIN / "gunicorn"), "config.wsgi", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}"]
        command += [
            "--timeout",
            "60",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(self.logs / "gunicorn.log"),
        ]
        with open(self.logs / "gunicorn.out", "a") as out:
            self.process = subprocess.Popen(
                command, cwd=SERVER_ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
            )
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.logs}/gunicorn.log")
            try:
                requests.get(base + "/healthz/live", timeout=2)
                return base
            except requests.RequestException:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start; see {self.logs}/gunicorn.log")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


# --- The clients ----------------------------------------------------------------------------------
@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection error or timeout)
    seconds: float
    outcome: str  # "ok", "conflict" (an expected 409) or "error"
    detail: str = ""


@dataclass
class Ledger:
    """What the clients were told: every answer, and every acknowledged write."""

    samples: list[Sample] = field(default_factory=list)
    # offer id -> [(version, summary)] in the order the answers came (one client per offer).
    edits: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    commitments: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (offer, text)
    # Pages that did not show a write their reader had been told was done.
    stale: list[str] = field(default_factory=list)
    accepts: dict[int, list[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # handoff -> [(pm, project)]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Agent:
    """One client: a user, its HTTP session and what it may expect."""

    def __init__(self, base: str, user: dict, ledger: Ledger, seed: int) -> None:
        self.base, self.user, self.ledger = base, user, ledger
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.session.headers["Cookie"] = f"sessionid={user['session']}"
        self.api = {"Authorization": f"Token {user['token']}"}

    def call(
        self, kind: str, method: str, path: str, expect: tuple[int, ...] = (200,), conflict_ok: bool = False, **kw
    ):
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=TIMEOUT, allow_redirects=False, **kw)
        except requests.RequestException as exc:
            self.ledger.add(Sample(kind, 0, time.perf_counter() - started, "error", repr(exc)[:200]))
            return None
        elapsed = time.perf_counter() - started
        if response.status_code in expect:
            outcome = "ok"
        elif conflict_ok and response.status_code == 409:
            outcome = "conflict"
        else:
            outcome = "error"
        detail = "" if outcome == "ok" else f"{method} {path} -> {response.status_code} {response.text[:200]!r}"
        self.ledger.add(Sample(kind, response.status_code, elapsed, outcome, detail))
        return response

    def step(self, shared: dict) -> None:
        raise NotImplementedError


class Rep(Agent):
    def __init__(self, *args, offers: list[list[int]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offers = dict(offers)
        self.writes = 0

    def step(self, shared: dict) -> None:
        roll = self.rng.random()
        offer = self.rng.choice(list(self.offers))
        if roll < 0.30:
            self.call("rep: offer list page", "get", "/offers/")
        elif roll < 0.50:
            self.call("rep: offer page", "get", f"/offers/{offer}/")
        elif roll < 0.60:
            self.call("rep: API offer list", "get", "/api/v1/offers/?status=draft", headers=self.api)
        elif roll < 0.90:
            self.writes += 1
            summary = f"load {self.user['username']} edit {self.writes} {secrets.token_hex(4)}"
            payload = {"version": self.offers[offer], "summary": summary}
            response = self.call(
                "rep: edit offer (API PATCH)", "patch", f"/api/v1/offers/{offer}/", json=payload, headers=self.api
            )
            if response is not None and response.status_code == 200:
                version = response.json()["version"]
                self.offers[offer] = version
                with self.ledger.lock:
                    self.ledger.edits[offer].append((version, summary))
                page = self.call("rep: offer page after the edit", "get", f"/offers/{offer}/")
                if page is not None and page.status_code == 200 and summary not in page.text:
                    with self.ledger.lock:
                        self.ledger.stale.append(f"offer {offer}: the page after edit v{version} lacks its summary")
        else:
            self.writes += 1
            text = f"load commitment {self.user['username']} {self.writes} {secrets.token_hex(4)}"
            response = self.call(
                "rep: add commitment (API POST)",
                "post",
                "/api/v1/commitments/",
                expect=(201,),
                json={"offer": offer, "text": text},
                headers=self.api,
            )
            if response is not None and response.status_code == 201:
                with self.ledger.lock:
                    self.ledger.commitments[response.json()["id"]] = (offer, text)


class PM(Agent):
    def __init__(self, *args, handoffs: list[list[int | None]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        me = self.user["id"]
        # Unassigned (contested by every PM) or assigned to this PM: the handoffs it may accept.
        self.candidates = [pk for pk, pm in handoffs if pm in (None, me)]
        self.assigned = [pk for pk, pm in handoffs if pm == me]
        self.accepted: list[int] = []
        self.projects: list[int] = []

    def step(self, shared: dict) -> None:
        roll = self.rng.random()
        if self.candidates and roll < 0.5:
            handoff = self.candidates.pop(self.rng.randrange(len(self.candidates)))
            response = self.call(
                "pm: accept handoff (API POST)",
                "post",
                f"/api/v1/handoffs/{handoff}/accept/",
                expect=(201,),
                conflict_ok=True,
                headers=self.api,
            )
            if response is not None and response.status_code == 201:
                project = response.json()["project"]
                self.projects.append(project)
                self.accepted.append(handoff)
                with self.ledger.lock:
                    self.ledger.accepts[handoff].append((self.user["id"], project))
        elif roll < 0.7 and (self.accepted or self.assigned):
            # Only handoffs that stay visible: an unassigned one may go to another PM meanwhile (then a 404).
            handoff = self.rng.choice(self.accepted + self.assigned)
            self.call("pm: handoff page", "get", f"/handoffs/{handoff}/")
        elif roll < 0.85 and self.projects:
            self.call("pm: project page", "get", f"/projects/{self.rng.choice(self.projects)}/")
        else:
            self.call("pm: home page", "get", "/")


class Manager(Agent):
    def step(self, shared: dict) -> None:
        roll = self.rng.random()
        if roll < 0.45:
            self.call("manager: dashboard", "get", "/dashboard/")
        elif roll < 0.70:
            self.call("manager: dashboard, one rep", "get", f"/dashboard/?rep={self.rng.choice(shared['all_reps'])}")
        elif roll < 0.85:
            self.call("manager: API offer list", "get", "/api/v1/offers/", headers=self.api)
        else:
            self.call("manager: offer page", "get", f"/offers/{self.rng.choice(shared['offer_ids'])}/")


def run_clients(base: str, info: dict, clients: int, duration: float) -> Ledger:
    ledger = Ledger()
    reps_n = clients // 2
    pms_n = clients // 4
    agents: list[Agent] = []
    reps, pms, managers = info["reps"], info["pms"], info["managers"]
    for index in range(reps_n):
        user = reps[index % len(reps)]
        # Threads sharing a rep split its offers: no two clients edit the same offer.
        sharing = [i for i in range(reps_n) if i % len(reps) == index % len(reps)]
        offers = info["rep_offers"][str(user["id"])]
        share = offers[sharing.index(index) :: len(sharing)] or offers[:1]
        agents.append(Rep(base, user, ledger, seed=index, offers=share))
    agents += [
        PM(base, pms[index % len(pms)], ledger, seed=100 + index, handoffs=info["handoffs"]) for index in range(pms_n)
    ]
    agents += [
        Manager(base, managers[index % len(managers)], ledger, seed=200 + index)
        for index in range(clients - reps_n - pms_n)
    ]
    stop_at = time.monotonic() + duration
    start = threading.Barrier(len(agents))

    def loop(agent: Agent) -> None:
        start.wait()
        while time.monotonic() < stop_at:
            try:
                agent.step(info)
            except Exception as exc:  # a client bug is an error of the run, not a silent stop
                ledger.add(Sample(type(agent).__name__, 0, 0.0, "error", f"client: {exc!r}"[:200]))

    threads = [threading.Thread(target=loop, args=(agent,), daemon=True) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + TIMEOUT + 30)
    return ledger


# --- Afterwards: is every acknowledged write there? ---------------------------------------------
def verify(database_url: str, ledger: Ledger) -> dict:
    import psycopg

    lost: list[str] = []
    with psycopg.connect(database_url) as db:
        offer_type = db.execute(
            "SELECT id FROM django_content_type WHERE app_label = 'handoff' AND model = 'offer'"
        ).fetchone()[0]
        offers = list(ledger.edits)
        rows = {
            pk: (version, summary)
            for pk, version, summary in db.execute(
                "SELECT id, version, summary FROM handoff_offer WHERE id = ANY(%s)", [offers]
            )
        }
        logged = dict(
            db.execute(
                "SELECT target_id, count(*) FROM core_activity WHERE verb = 'offer_updated' AND target_type_id = %s "
                "AND target_id = ANY(%s) GROUP BY target_id",
                [offer_type, offers],
            ).fetchall()
        )
        for pk, edits in ledger.edits.items():
            if rows.get(pk) != edits[-1]:
                lost.append(f"offer {pk}: database has {rows.get(pk)}, last answer was {edits[-1]}")
            if logged.get(pk, 0) != len(edits):
                lost.append(f"offer {pk}: {logged.get(pk, 0)} activity rows for {len(edits)} acknowledged edits")
        stored = {
            pk: (offer, text)
            for pk, offer, text in db.execute(
                "SELECT id, offer_id, text FROM handoff_commitment WHERE id = ANY(%s)", [list(ledger.commitments)]
            )
        }
        for pk, expected in ledger.commitments.items():
            if stored.get(pk) != expected:
                lost.append(f"commitment {pk}: database has {stored.get(pk)}, acknowledged {expected}")
        projects = defaultdict(list)
        for handoff, project, pm in db.execute(
            "SELECT handoff_id, id, pm_id FROM projects_project WHERE handoff_id = ANY(%s)", [list(ledger.accepts)]
        ):
            projects[handoff].append((pm, project))
        for handoff, accepts in ledger.accepts.items():
            if len(accepts) != 1:
                lost.append(f"handoff {handoff}: accepted {len(accepts)} times ({accepts})")
            if projects.get(handoff) != accepts[-1:]:
                lost.append(f"handoff {handoff}: projects {projects.get(handoff)}, acknowledged {accepts}")
    return {
        "edits": sum(len(edits) for edits in ledger.edits.values()),
        "offers_edited": len(ledger.edits),
        "commitments": len(ledger.commitments),
        "accepts": len(ledger.accepts),
        "lost": lost,
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)  # nearest rank
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(ledger: Ledger, checked: dict, duration: float, clients: int) -> dict:
    kinds: dict[str, list[Sample]] = defaultdict(list)
    for sample in ledger.samples:
        kinds[sample.kind].append(sample)
    rows = []
    for kind in sorted(kinds):
        samples = kinds[kind]
        times = [s.seconds * 1000 for s in samples if s.status]
        rows.append(
            {
                "kind": kind,
                "requests": len(samples),
                "ok": sum(s.outcome == "ok" for s in samples),
                "conflicts": sum(s.outcome == "conflict" for s in samples),
                "errors": sum(s.outcome == "error" for s in samples),
                "p50_ms": percentile(times, 0.50),
                "p95_ms": percentile(times, 0.95),
                "max_ms": max(times, default=0.0),
            }
        )
    all_times = [s.seconds * 1000 for s in ledger.samples if s.status]
    errors = [s.detail for s in ledger.samples if s.outcome == "error"]
    return {
        "duration_s": duration,
        "clients": clients,
        "requests": len(ledger.samples),
        "requests_per_s": len(ledger.samples) / duration if duration else 0.0,
        "errors": len(errors),
        "error_examples": errors[:10],
        "conflicts": sum(s.outcome == "conflict" for s in ledger.samples),
        "p50_ms": percentile(all_times, 0.50),
        "p95_ms": percentile(all_times, 0.95),
        "max_ms": max(all_times, default=0.0),
        "writes": checked,
        "stale_pages": ledger.stale,
        "kinds": rows,
    }


def table(result: dict) -> str:
    lines = [
        f"Load: {result['clients']} clients for {result['duration_s']:.0f} s against gunicorn ({WORKERS} workers) "
        f"on PostgreSQL: {result['requests']} requests ({result['requests_per_s']:.1f}/s), "
        f"{result['errors']} errors, {result['conflicts']} expected 409s (contested accepts), "
        f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, max {result['max_ms']:.0f} ms.",
        "",
        "| request | n | ok | 409 (expected) | errors | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["kinds"]:
        lines.append(
            f"| {row['kind']} | {row['requests']} | {row['ok']} | {row['conflicts']} | {row['errors']} | "
            f"{row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['max_ms']:.0f} |"
        )
    writes = result["writes"]
    lines += [
        "",
        f"Acknowledged writes checked in the database: {writes['edits']} offer edits on {writes['offers_edited']} "
        f"offers (version, summary and activity row), {writes['commitments']} commitments, "
        f"{writes['accepts']} accepted handoffs (one project each, of the PM answered 201): "
        f"{len(writes['lost'])} lost.",
        f"Offer pages opened right after an acknowledged edit: {len(result['stale_pages'])} without it.",
    ]
    for problem in result["error_examples"] + writes["lost"][:10] + result["stale_pages"][:10]:
        lines.append(f"  - {problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic (60)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--offers", type=int, default=int(os.environ.get("LOAD_OFFERS", "2000")))
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--server-root", type=Path, default=ROOT, help="the checkout whose code the server runs")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server (repeatable)")
    args = parser.parse_args(argv)
    global SERVER_ROOT
    SERVER_ROOT = args.server_root.resolve()
    if args.clients < 4:
        parser.error("--clients must be at least 4 (reps, PMs and managers)")
    database_url = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/handoff_load")
    port = int(os.environ.get("LOAD_PORT") or free_port())
    logs = Path(os.environ.get("LOAD_LOGS") or Path(tempfile.gettempdir()) / "handoff-load-logs")
    env = environment(database_url, dict(item.split("=", 1) for item in args.env))

    template = os.environ.get("LOAD_TEMPLATE_DB")
    if template and reset_database(database_url, template=template):
        log(f"{urlsplit(database_url).path.lstrip('/')} copied from {template} (migrated and seeded before)")
    else:
        log(f"resetting {urlsplit(database_url).path.lstrip('/')}, migrating, seeding {args.offers} offers")
        reset_database(database_url)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_volume", "--offers", str(args.offers), "--seed", "7")
        if template:
            save_template(database_url, template)
    plan = {"reps": max(1, min(20, args.clients // 2)), "pms": max(1, min(10, args.clients // 4))}
    plan["handoffs"] = int(max(20, 4 * args.duration))
    info = json.loads(manage(env, "shell", "-c", PREPARE, stdin=json.dumps(plan)).split("JSON", 1)[1])
    log(
        f"{len(info['handoffs'])} pending handoffs; starting gunicorn and {args.clients} clients for {args.duration:.0f} s"
    )

    with Gunicorn(env, port, logs) as base:
        started = time.monotonic()
        ledger = run_clients(base, info, args.clients, args.duration)
        elapsed = time.monotonic() - started
    checked = verify(database_url, ledger)
    result = summarise(ledger, checked, elapsed, args.clients)
    print()
    print(table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if result["errors"] or checked["lost"] or result["stale_pages"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Time, queries and memory of the contact import (SPEC §7.7): ``python bench/imports.py [--rows 10000] [--save]``.

Against the database of ``DATABASE_URL`` (migrated; no seed needed). Generates a CSV of new rows the way a
CRM export looks: ``rows / 5`` clients of five contacts each, the first of every five the manager of the
other four (``reports_to`` by e-mail), every column filled, names unique per run so each run imports new
rows. As a sales rep (``bench-importer``, made if missing):

- preview: ``exchange.services.contacts_import(dry_run=True)``, what ``POST /exchange/import/`` and the API's
  ``dry_run`` run (every check, every write rolled back);
- confirm: ``pending_import_store`` + ``pending_import_confirm``, what the confirm button runs (the writes
  committed);
- preview page: the whole request ``POST /exchange/import/`` through ``django.test.Client`` (middleware, the
  upload, the dry run, storing the file, the page listing every row).

Each is timed (wall clock, and this process's CPU time: the machine is shared, the CPU time varies less)
without tracemalloc (tracemalloc slows Python several times), then run again on a fresh
file with tracemalloc on for the peak of Python allocations; the queries are counted (``connection.execute_wrapper``)
on the timed run. Writes a Markdown table to stdout (and
``bench/results/imports-<date>.md`` with ``--save``, overwriting it: add the "before" rows by hand).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import socket
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from exchange.imports import COLUMNS  # noqa: E402
from exchange.services import contacts_import, pending_import_confirm, pending_import_store  # noqa: E402

HEADER = list(COLUMNS)  # the columns of SPEC §7.7, in the order an export writes them
ROLES = ["decision_maker", "influencer", "champion", "user", "blocker"]


def importer() -> User:
    user, _created = User.objects.get_or_create(username="bench-importer", defaults={"first_name": "Bench"})
    user.groups.add(Group.objects.get_or_create(name="sales")[0])
    return User.objects.get(pk=user.pk)


def make_csv(rows: int, tag: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for number in range(rows):
        client, position = divmod(number, 5)
        domain = f"c{client}-{tag}.example"
        manager = f"p0@{domain}" if position else ""
        writer.writerow(
            [
                f"Client {client} {tag}",
                "Logistics",
                f"https://{domain}",
                "bench-importer",
                f"Person {position} of client {client}",
                "Head of Purchasing",
                f"p{position}@{domain}",
                "+49 40 123456",
                ROLES[position],
                "Calls, not e-mails.",
                manager,
            ]
        )
    return out.getvalue().encode()


def preview(user: User, content: bytes) -> dict:
    result = contacts_import(actor=user, content=content, filename="bench.csv", dry_run=True)
    return result.as_dict()


def confirm(user: User, content: bytes) -> dict:
    pending = pending_import_store(actor=user, content=content, filename="bench.csv")
    result = pending_import_confirm(actor=user, token=pending.token)
    assert result.written, result.as_dict()["errors"][:5]
    return result.as_dict()


def preview_page(user: User, content: bytes) -> dict:
    browser = Client()
    browser.force_login(user)
    with override_settings(ALLOWED_HOSTS=["*"]):
        response = browser.post(
            "/exchange/import/", {"file": SimpleUploadedFile("bench.csv", content, content_type="text/csv")}
        )
    assert response.status_code == 200, response.status_code
    return {"errors": [], "bytes": len(response.content)}


def measure(label: str, run, user: User, rows: int) -> dict:
    tag = f"{int(time.time() * 1000)}"
    content = make_csv(rows, tag)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        started, cpu = time.perf_counter(), time.process_time()
        counts = run(user, content)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not counts["errors"], counts["errors"][:5]
    tracemalloc.start()
    run(user, make_csv(rows, tag + "m"))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label}: {elapsed:.1f} s (CPU {cpu:.1f} s), {len(queries)} queries, peak {peak / 2**20:.1f} MB", flush=True)
    return {"label": label, "seconds": elapsed, "cpu": cpu, "queries": len(queries), "peak_mb": peak / 2**20}


def main() -> None:
    rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 10_000
    user = importer()
    size = len(make_csv(rows, "size"))
    results = [
        measure("preview (dry run)", preview, user, rows),
        measure("confirm", confirm, user, rows),
        measure("preview page (the request, every row listed)", preview_page, user, rows),
    ]
    lines = [
        f"# Import of {rows:,} new rows, {rows // 5:,} clients, {size / 2**20:.1f} MB CSV ({connection.vendor}, "
        f"{socket.gethostname()}, {datetime.date.today().isoformat()})",
        "",
        "| step | time (s) | CPU (s) | queries | tracemalloc peak (MB) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result['label']} | {result['seconds']:.1f} | {result['cpu']:.1f} | {result['queries']} "
            f"| {result['peak_mb']:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if "--save" in sys.argv:
        target = ROOT / "bench" / "results" / f"imports-{datetime.date.today().isoformat()}.md"
        target.write_text(text)
        print(f"written to {target}")


if __name__ == "__main__":
    main()

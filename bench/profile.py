"""Where a built page's time goes: queries, time per request and a pyinstrument profile, in process.

``DATABASE_URL=postgres://…/<seeded db> .venv/bin/python bench/profile.py [--repeat 30] [--out FILE]``

Every request builds its page (there is no page cache any more; before, it ran with it off) against a database seeded by ``manage.py seed_volume`` (the bench's volume path). For each of the
built pages of ``make bench`` it prints the queries of one request (count and time), the mean
wall time of ``--repeat`` requests through Django's test client, and the slowest frames of one
pyinstrument profile over those requests; ``--out`` writes the same as markdown.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["PAGE_CACHE"] = "false"  # for a checkout that still has the page cache (before 2026-12-03)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("BENCH_TRIVIAL_VIEW", "true")


def pages() -> list[tuple[str, str, str]]:
    from handoff.models import Handoff
    from projects.models import Project

    # The same records as bench.py: a won offer whose handoff became a project, mid-range.
    projects = Project.objects.filter(offer__risks__isnull=False, offer__commitments__isnull=False).order_by("id")
    project = projects[projects.count() // 2]
    handoffs = Handoff.objects.filter(status="pending").order_by("id")
    handoff = handoffs[handoffs.count() // 2] if handoffs.exists() else project.handoff
    return [
        ("trivial view (ceiling)", "", "/dashboard/bench/trivial/"),
        ("empty signed-in page (layout floor)", "manager", "/dashboard/bench/layout/"),
        ("offer list page", "manager", "/offers/"),
        ("/api/v1/offers/", "manager", "/api/v1/offers/"),
        ("offer detail", "manager", f"/offers/{project.offer_id}/"),
        ("handoff page", "manager", f"/handoffs/{handoff.pk}/"),
        ("project page", "manager", f"/projects/{project.pk}/"),
        ("search", "manager", "/search/?q=Cloud"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", help="profile only pages whose name contains this")
    parser.add_argument("--sql", action="store_true", help="list every query of each page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from accounts.models import User
    from handoff.models import Offer

    clients: dict[str, Client] = {}
    lines = [f"Offers in the database: {Offer.objects.count()}; {args.repeat} requests per page.", ""]
    summary = ["| page | queries | SQL ms | ms per request |", "| --- | ---: | ---: | ---: |"]
    details: list[str] = []
    for name, who, path in pages():
        if args.only and args.only not in name:
            continue
        if who not in clients:
            client = Client(HTTP_HOST="127.0.0.1")
            if who:
                client.force_login(User.objects.get(username="vol_manager"))
            clients[who] = client
        client = clients[who]
        client.get(path)  # warm
        sep = "&" if "?" in path else "?"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}{sep}built=0")
        assert response.status_code == 200, (name, response.status_code)
        # Copied now: every request clears the connection's query log (request_started).
        captured = list(queries.captured_queries)
        sql_ms = sum(float(query["time"]) for query in captured) * 1000
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for index in range(args.repeat):
            client.get(f"{path}{sep}built={index + 1}")
        profiler.stop()
        per_request = (time.perf_counter() - started) * 1000 / args.repeat
        summary.append(f"| {name} | {len(captured)} | {sql_ms:.1f} | {per_request:.1f} |")
        print(f"{name}: {len(captured)} queries, {sql_ms:.1f} ms SQL, {per_request:.1f} ms/request")
        text = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True)
        details += [f"## {name} ({path})", "", "```", text.strip()[:6000], "```", ""]
        if args.sql:
            details += ["Queries:", ""] + [
                f"- {float(query['time']) * 1000:.1f} ms `{query['sql'][:300]}`" for query in captured
            ]
            details.append("")
    report = "\n".join(lines + summary + [""] + details)
    if args.out:
        args.out.write_text(report + "\n")
    else:
        print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

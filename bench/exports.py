"""Memory and time of the list exports (SPEC §7.7): ``python bench/exports.py``.

Against the database of ``DATABASE_URL`` (fill it first: ``manage.py seed_volume --offers 100000``),
as the first manager (every offer is visible to them). For each format the offer list is exported
through the real view (``exchange.views.export_view``, a GET from ``RequestFactory``) and its body read
to the end, the way the server sends it; ``tracemalloc`` records the peak of Python allocations during
that, and the wall time is measured around it (tracemalloc itself slows Python down several times:
the times are upper bounds; without it the CSV export of 100 000 offers took 8.8 s). For comparison the same rows are also built the usual
non-streamed way (a ``tablib.Dataset`` of every row, exported at once), which is what "loading them into
memory" costs.

Writes a Markdown table to stdout (and ``bench/results/exports-<date>.md`` with ``--save``).
"""

from __future__ import annotations

import datetime
import os
import resource
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

import tablib  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from accounts.models import User  # noqa: E402
from exchange.lists import OFFERS, export_rows  # noqa: E402
from exchange.views import export_view  # noqa: E402
from handoff.models import Offer  # noqa: E402


def measure(label: str, run) -> dict:
    tracemalloc.start()
    started = time.perf_counter()
    size = run()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label}: {elapsed:.1f} s, peak {peak / 2**20:.1f} MB, max RSS so far {rss:.0f} MB", flush=True)
    return {"label": label, "seconds": elapsed, "peak_mb": peak / 2**20, "bytes": size}


def through_the_view(user, fmt: str):
    def run() -> int:
        request = RequestFactory().get(f"/exchange/export/offers.{fmt}")
        request.user = user
        response = export_view(request, "offers", fmt)
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        response.close()
        return size

    return run


def all_in_memory(user, fmt: str):
    def run() -> int:
        dataset = tablib.Dataset(headers=OFFERS.header_row())
        for row in export_rows(OFFERS, user=user, params=RequestFactory().get("/").GET):
            dataset.append(row)
        return len(dataset.export(fmt))

    return run


def main() -> None:
    user = User.objects.with_role("manager").order_by("pk").first()
    offers = Offer.objects.count()
    results = [
        measure("CSV, streamed (StreamingHttpResponse)", through_the_view(user, "csv")),
        measure("Excel, write-only workbook to a temporary file", through_the_view(user, "xlsx")),
    ]
    if "--with-baseline" in sys.argv:
        results += [
            measure("CSV, all rows in a tablib Dataset first (baseline)", all_in_memory(user, "csv")),
            measure("Excel, all rows in a tablib Dataset first (baseline)", all_in_memory(user, "xlsx")),
        ]
    lines = [
        f"# Export of the offer list: {offers:,} offers ({connection.vendor}, {socket.gethostname()}, "
        f"{datetime.date.today().isoformat()})",
        "",
        "| export | time (s) | tracemalloc peak (MB) | file size (MB) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result['label']} | {result['seconds']:.1f} | {result['peak_mb']:.1f} | {result['bytes'] / 2**20:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if "--save" in sys.argv:
        target = ROOT / "bench" / "results" / f"exports-{datetime.date.today().isoformat()}.md"
        target.write_text(text)
        print(f"written to {target}")


if __name__ == "__main__":
    main()

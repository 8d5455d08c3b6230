"""Load (issue 7): 15 seconds of mixed traffic from 32 clients against gunicorn on PostgreSQL.

The CI's short run of bench/load.py (`make bench` runs the full minute): reps
browse and edit offers and add commitments, PMs accept handoffs (contested:
a 409 is expected and counted apart), managers read the dashboards. Zero
errors, and every acknowledged write is in the database afterwards. The table
(p50/p95 per request kind) is printed and kept in test-output/load.json.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
OUTPUT = ROOT / "test-output" / "load.json"
DURATION = os.environ.get("LOAD_CI_DURATION", "15")


def load_database_url() -> str:
    """The load run's own database, next to the test database: <DATABASE_URL's name>_load."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path=parts.path.rstrip("/") + "_load").geturl()


@pytest.mark.postgres
@pytest.mark.slow
def test_it_serves_mixed_traffic_from_32_clients_without_errors_or_lost_writes():
    env = {**os.environ, "LOAD_DATABASE_URL": load_database_url()}
    env.pop("LOAD_PORT", None)  # a free port of its own
    command = [str(ROOT / ".venv" / "bin" / "python"), "bench/load.py", "--duration", DURATION, "--clients", "32"]
    completed = subprocess.run(
        [*command, "--offers", "1000", "--json", str(OUTPUT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(completed.stdout)
    assert OUTPUT.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    result = json.loads(OUTPUT.read_text())

    assert result["errors"] == 0, "\n".join(result["error_examples"])
    assert result["writes"]["lost"] == []
    assert result["stale_pages"] == []
    assert completed.returncode == 0, completed.stderr[-3000:]
    kinds = {row["kind"]: row for row in result["kinds"]}
    # Every kind of client did its part, writes included.
    assert {kind.split(":")[0] for kind in kinds} == {"rep", "pm", "manager"}
    assert result["writes"]["edits"] > 0
    assert result["writes"]["commitments"] > 0
    assert result["writes"]["accepts"] > 0
    assert result["p95_ms"] > 0

"""Dashboards: every signed-in user gets the figures of their own scope; managers of everyone's."""

from tests.quality.matrix.base import row

READ = "login 200 200 200 200 200"

ROWS = [
    row("GET", "dashboards:dashboard", expect=READ),
    row("GET", "dashboards:risks", query="p=3&i=4", expect=READ),
    row("GET", "dashboards:export", "pipeline_by_status", expect=READ),
    row("GET", "dashboards:export", "no_such_table", expect="login 404 404 404 404 404"),
    row("GET", "dashboards:client-options", expect=READ),
]

"""The start page, the global search, login/logout, the health check and the API's schema and docs."""

from tests.quality.matrix.base import row

ROWS = [
    row("GET", "home", expect="login 200 200 200 200 200"),
    row("GET", "search", query="q=Matrix", expect="login 200 200 200 200 200"),
    row("GET", "login", expect="200 302 302 302 302 302"),
    row("POST", "login", data={"username": "mx_rep", "password": "wrong"}, expect="200 302 302 302 302 302"),
    row("PUT", "login", data={"username": "mx_rep", "password": "wrong"}, expect="200 302 302 302 302 302"),
    row("POST", "logout", expect="login 302 302 302 302 302"),
    # Everyone's own settings (SPEC §7.6); the header's language switch works before login too (a cookie).
    row("GET", "profile", expect="login 200 200 200 200 200"),
    row("POST", "profile", data={"language": "de"}, expect="login W W W W W"),
    row("POST", "language_switch", data={"language": "de"}, expect="302 W W W W W"),
    # The diagnostics are for managers (and monitoring with HEALTHZ_TOKEN); the probes are open.
    row("GET", "healthz", expect="403 403 403 403 403 200"),
    row("GET", "healthz-live", expect="200 200 200 200 200 200"),
    row("GET", "healthz-ready", expect="200 200 200 200 200 200"),
    row("GET", "schema", expect="anon 200 200 200 200 200"),
    row("GET", "api-docs", expect="login 200 200 200 200 200"),  # a page: anonymous visitors log in first
]

"""API: users (read-only, any signed-in user) and the token exchange (public: it is the API's login)."""

from tests.factories import DEFAULT_PASSWORD
from tests.quality.matrix.base import row

ROWS = [
    row("GET", "user-list", expect="anon 200 200 200 200 200"),
    row("GET", "user-list", query="role=pm", expect="anon 200 200 200 200 200", note="filtered"),
    row("GET", "user-detail", "@rep", expect="anon 200 200 200 200 200"),
    # The signed-in user and their own language (SPEC §7.6).
    row("GET", "user-me", expect="anon 200 200 200 200 200"),
    row("PATCH", "user-me", data={"language": "de"}, expect="anon W W W W W"),
    row("PATCH", "user-me", data={"language": "fr"}, expect="anon 400 400 400 400 400", note="unknown language"),
    row("POST", "api-token", data={"username": "mx_rep", "password": DEFAULT_PASSWORD}, expect="W W W W W W"),
    row("POST", "api-token", data={"username": "mx_rep", "password": "wrong"}, expect="400 400 400 400 400 400"),
    row("GET", "api-dashboard", expect="anon 200 200 200 200 200"),
]

"""API: users (read-only, any signed-in user) and the token exchange (public: it is the API's login)."""

from tests.factories import DEFAULT_PASSWORD
from tests.quality.matrix.base import row

ROWS = [
    row("GET", "user-list", expect="anon 200 200 200 200 200"),
    row("GET", "user-list", query="role=pm", expect="anon 200 200 200 200 200", note="filtered"),
    row("GET", "user-detail", "@rep", expect="anon 200 200 200 200 200"),
    row("POST", "api-token", data={"username": "mx_rep", "password": DEFAULT_PASSWORD}, expect="W W W W W W"),
    row("POST", "api-token", data={"username": "mx_rep", "password": "wrong"}, expect="400 400 400 400 400 400"),
    row("GET", "api-dashboard", expect="anon 200 200 200 200 200"),
]

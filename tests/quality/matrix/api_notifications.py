"""API: notifications, own only (another user's is a 404)."""

from tests.quality.matrix.base import row

ROWS = [
    row("GET", "notification-list", expect="anon 200 200 200 200 200"),
    row("POST", "notification-read-all", expect="anon W W W W W"),
    row("GET", "notification-detail", "notification_rep", expect="anon 200 404 404 404 404"),
    row("GET", "notification-detail", "notification_other_pm", expect="anon 404 404 404 200 404"),
    row("POST", "notification-read", "notification_rep", expect="anon W 404 404 404 404"),
    row("POST", "notification-read", "notification_pm", expect="anon 404 404 W 404 404"),
]

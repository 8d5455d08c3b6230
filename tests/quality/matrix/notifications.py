"""The inbox: own notifications only (another user's is a 404); the badge stops polling when signed out."""

from tests.quality.matrix.base import row

ROWS = [
    row("GET", "notifications:inbox", expect="login 200 200 200 200 200"),
    row("GET", "notifications:badge", expect="286 200 200 200 200 200"),
    row("POST", "notifications:read_all", expect="login W W W W W"),
    row("GET", "notifications:preferences", expect="login 200 200 200 200 200"),
    row(
        "POST",
        "notifications:preferences",
        data={"email": ["review_requested"]},
        expect="login W W W W W",
    ),
    row("GET", "notifications:open", "notification_rep", expect="login 302 404 404 404 404"),
    row("GET", "notifications:open", "notification_pm", expect="login 404 404 302 404 404"),
    row("POST", "notifications:read", "notification_rep", expect="login W 404 404 404 404"),
    row("POST", "notifications:read", "notification_manager", expect="login 404 404 404 404 W"),
]

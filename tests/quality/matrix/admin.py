"""The Django admin: superusers only. None of the personas is staff, so every admin URL sends them (and
anonymous users) to the admin's login; the login page itself answers. Rows come from the resolver walk,
so a model registered later is covered without a change here."""

from tests.quality.matrix.base import Row, row
from tests.quality.matrix.world import PERSONAS
from tests.urlwalk import endpoints

EVERYONE = " ".join(["admin-login"] * len(PERSONAS))
LOGIN_PAGE = " ".join(["200"] * len(PERSONAS))
# The admin's logout sends to its index, which then asks a non-staff user to log in.
LOGOUT = " ".join(["302"] * len(PERSONAS))


def admin_rows() -> list[Row]:
    rows = []
    for endpoint in endpoints(unique_paths=False):
        if not endpoint.name.startswith("admin:"):
            continue
        for method in sorted(endpoint.methods):
            expect = {"admin:login": LOGIN_PAGE, "admin:logout": LOGOUT}.get(endpoint.name, EVERYONE)
            rows.append(row(method, endpoint.name, expect=expect, fixed_path=endpoint.path))
    return rows


ROWS = admin_rows()

"""Client links (SPEC §7.5): the team's pages and API, and the client's page and JSON door.

Who: the project's PM and its sales liaison issue links; they and managers revoke them; managers see
every link, the team of a project its links. The client's page (/c/) and door (/api/v1/client-portal/)
know no persona: without a client link every one of them gets the plain refusal (404 page, 401 JSON).
"""

from tests.quality.matrix.base import row

ISSUERS = "W 403 W 403 403"  # the PM and the sales liaison
SEE = "200 404 200 404 200"  # the project's team and managers
REVOKERS = "W 404 W 404 W"
NO_LINK_PAGE = "404 404 404 404 404 404"
NO_LINK_API = "401 401 401 401 401 401"
BOGUS_TOKEN = "A" * 43


def _link(world):
    return {"project": world.id("project"), "contact": world.id("decision_maker"), "expires_in_days": 7}


ROWS = [
    # The team's pages.
    row("GET", "projects:client_links", expect="login 200 200 200 200 200"),
    row("GET", "projects:client_link_panel", "project", expect="login 302 302 302 302 302"),
    row(
        "POST",
        "projects:client_link_panel",
        "project",
        data=lambda w: {"contact": w.id("decision_maker"), "expires_in_days": 7},
        expect="login " + ISSUERS,
    ),
    row("POST", "projects:client_link_revoke", "client_link", expect="login " + REVOKERS),
    # The team's API.
    row("GET", "client-link-list", expect="anon 200 200 200 200 200"),
    row("POST", "client-link-list", data=_link, expect="anon " + ISSUERS),
    row("GET", "client-link-detail", "client_link", expect="anon " + SEE),
    row("POST", "client-link-revoke", "client_link", expect="anon " + REVOKERS),
    # The client's page, without a link (a staff session is no link).
    row("GET", "client_portal:home", expect=NO_LINK_PAGE),
    row("GET", "client_portal:enter", BOGUS_TOKEN, expect=NO_LINK_PAGE),
    row(
        "POST",
        "client_portal:decision",
        "deliverable_submitted",
        data=lambda w: {f"d{w.id('deliverable_submitted')}-decision": "accepted"},
        expect=NO_LINK_PAGE,
    ),
    row("POST", "client_portal:pulse", data={"pulse-mood": "3"}, expect=NO_LINK_PAGE),
    row("POST", "client_portal:issue", data={"issue-title": "Broken"}, expect=NO_LINK_PAGE),
    row("POST", "client_portal:leave", expect="200 200 200 200 200 200"),
    # The client's JSON door, without a link.
    row("GET", "client-portal", expect=NO_LINK_API),
    row(
        "POST",
        "client-portal-decision",
        "deliverable_submitted",
        data={"decision": "accepted"},
        expect=NO_LINK_API,
    ),
    row("POST", "client-portal-pulses", data={"mood": 3, "urgency": 3, "satisfaction": 3}, expect=NO_LINK_API),
    row("POST", "client-portal-issues", data={"title": "Broken", "severity": "low"}, expect=NO_LINK_API),
]

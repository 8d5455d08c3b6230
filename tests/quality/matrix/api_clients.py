"""API: clients, contacts and briefs. Sales reps write; managers change only a client's account owner and status
(SPEC §2); everyone signed in reads."""

from clients.models import ClientBrief
from tests.quality.matrix.base import row

READ = "anon 200 200 200 200 200"


def _brief(world):
    brief = ClientBrief.objects.get(client=world.objects["client"])
    return {
        "background": "Rewritten through the API.",
        "goals": brief.goals,
        "expectations": brief.expectations,
        "politics": brief.politics,
        "dos_and_donts": brief.dos_and_donts,
        "version": brief.version,
    }


ROWS = [
    row("GET", "client-list", expect=READ),
    row(
        "POST",
        "client-list",
        data={"name": "Matrix API Client", "industry": "Retail"},
        expect="anon W W 403 403 403",
        note="no owner named",
    ),
    row(
        "POST",
        "client-list",
        data=lambda w: {"name": "Matrix API Client", "account_owner": w.users["rep"].pk},
        expect="anon W W 403 403 403",
        note="owner named",
    ),
    row("GET", "client-detail", "client", expect=READ),
    row("GET", "client-detail", 999999, expect="anon 404 404 404 404 404", note="no such client"),
    row("PATCH", "client-detail", "client", data={"industry": "Food"}, expect="anon W W 403 403 403"),
    row(
        "PATCH",
        "client-detail",
        "client",
        data={"status": "active"},
        expect="anon W 403 403 403 W",
        note="status: the account owner or a manager",
    ),
    row("GET", "client-brief", "client", expect=READ),
    row("GET", "client-brief", "other_client", expect=READ),
    # Without confidential_notes: whoever may not read them may not send them either.
    row("PUT", "client-brief", "client", data=_brief, expect="anon W W 403 403 403"),
    row(
        "PUT",
        "client-brief",
        "client",
        data=lambda w: {**_brief(w), "confidential_notes": "Overwritten"},
        expect="anon W 400 403 403 403",
        note="with confidential_notes",
    ),
    row("GET", "contact-list", expect=READ),
    row(
        "POST",
        "contact-list",
        data=lambda w: {"client": w.id("client"), "name": "Nina New", "buying_role": "user"},
        expect="anon W W 403 403 403",
    ),
    row("GET", "contact-detail", "contact", expect=READ),
    row("PATCH", "contact-detail", "contact", data={"title": "CTO"}, expect="anon W W 403 403 403"),
    row("DELETE", "contact-detail", "contact", expect="anon W W 403 403 403"),
]

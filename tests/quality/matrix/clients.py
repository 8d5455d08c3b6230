"""Client pages: sales reps write clients, contacts and briefs; managers change only a client's account owner
and status (SPEC §2); everyone signed in reads."""

from clients.models import ClientBrief
from tests.quality.matrix.base import row


def _brief(world):
    brief = ClientBrief.objects.get(client=world.objects["client"])
    return {"version": brief.version, "background": "Rewritten background.", "goals": brief.goals}


def _contact(world):
    return {
        "name": "Ivan It",
        "title": "CTO",
        "buying_role": "champion",
        "reports_to": world.id("decision_maker"),
    }


READ = "login 200 200 200 200 200"
WRITE = "login W W 403 403 403"
# Sales reps write; a manager only reaches the edit page (account owner and status).
WRITER_PAGE = "login 200 200 403 403 403"

ROWS = [
    row("GET", "clients:list", expect=READ),
    row("GET", "clients:list", query="q=Matrix&status=prospect", expect=READ, note="filtered"),
    row("GET", "clients:detail", "client", expect=READ),
    row("GET", "clients:client_detail", "other_client", expect=READ),
    row("GET", "clients:detail", 999999, expect="login 404 404 404 404 404", note="no such client"),
    row("GET", "clients:create", expect=WRITER_PAGE),
    # A rep's new client is their own; a manager creates none (SPEC §2).
    row(
        "POST",
        "clients:create",
        data={"name": "Matrix New Client", "industry": "Retail", "status": "prospect"},
        expect=WRITE,
        note="no owner named",
    ),
    row(
        "POST",
        "clients:create",
        data=lambda w: {"name": "Matrix New Client", "status": "prospect", "account_owner": w.users["rep"].pk},
        expect=WRITE,
        note="owner named",
    ),
    row("GET", "clients:edit", "client", expect="login 200 200 403 403 200"),
    row(
        "POST",
        "clients:edit",
        "client",
        data=lambda w: {
            "name": "Matrix Manufacturing",
            "industry": "Food",
            "status": "prospect",
            "account_owner": w.users["rep"].pk,
        },
        # The manager's form has name and industry disabled: nothing they may change changed.
        expect="login W W 403 403 302",
    ),
    row(
        "POST",
        "clients:edit",
        "client",
        data=lambda w: {
            "name": "Matrix Manufacturing",
            "industry": "Manufacturing",
            "website": "https://example.com",
            "status": "active",
            "account_owner": w.users["rep"].pk,
        },
        # The other rep's form has the status disabled: nothing changed.
        expect="login W 302 403 403 W",
        note="status: the account owner or a manager",
    ),
    row("GET", "clients:brief", "client", expect="login 302 302 302 302 302", note="the page's #brief"),
    row("GET", "clients:brief_edit", "client", expect=WRITER_PAGE),
    row("POST", "clients:brief_edit", "client", data=_brief, expect=WRITE),
    row("GET", "clients:contact_create", "client", expect=WRITER_PAGE),
    row(
        "POST",
        "clients:contact_create",
        "client",
        data={"name": "Nina New", "buying_role": "user"},
        expect=WRITE,
    ),
    row("GET", "clients:contact_edit", "client", "contact", expect=WRITER_PAGE),
    row("POST", "clients:contact_edit", "client", "contact", data=_contact, expect=WRITE),
    row(
        "GET",
        "clients:contact_edit",
        "client",
        "other_contact",
        expect="login 404 404 404 404 404",
        note="a contact of another client",
    ),
    row("GET", "clients:contact_delete", "client", "contact", expect=WRITER_PAGE),
    row("POST", "clients:contact_delete", "client", "contact", expect=WRITE),
    row(
        "POST",
        "clients:contact_delete",
        "client",
        "other_contact",
        expect="login 404 404 404 404 404",
        note="a contact of another client",
    ),
]

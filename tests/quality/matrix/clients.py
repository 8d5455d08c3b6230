"""Client pages: sales reps and managers write clients, contacts and briefs; everyone signed in reads."""

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
WRITE = "login W W 403 403 W"

ROWS = [
    row("GET", "clients:list", expect=READ),
    row("GET", "clients:list", query="q=Matrix&status=prospect", expect=READ, note="filtered"),
    row("GET", "clients:detail", "client", expect=READ),
    row("GET", "clients:client_detail", "other_client", expect=READ),
    row("GET", "clients:detail", 999999, expect="login 404 404 404 404 404", note="no such client"),
    row("GET", "clients:create", expect="login 200 200 403 403 200"),
    # A rep's new client is their own; a manager names the account owner.
    row(
        "POST",
        "clients:create",
        data={"name": "Matrix New Client", "industry": "Retail", "status": "prospect"},
        expect="login W W 403 403 200",
        note="no owner named: the manager gets the form back",
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
        expect=WRITE,
    ),
    row("GET", "clients:brief", "client", expect="login 302 302 302 302 302", note="the page's #brief"),
    row("GET", "clients:brief_edit", "client", expect="login 200 200 403 403 200"),
    row("POST", "clients:brief_edit", "client", data=_brief, expect=WRITE),
    row("GET", "clients:contact_create", "client", expect="login 200 200 403 403 200"),
    row(
        "POST",
        "clients:contact_create",
        "client",
        data={"name": "Nina New", "buying_role": "user"},
        expect=WRITE,
    ),
    row("GET", "clients:contact_edit", "client", "contact", expect="login 200 200 403 403 200"),
    row("POST", "clients:contact_edit", "client", "contact", data=_contact, expect=WRITE),
    row(
        "GET",
        "clients:contact_edit",
        "client",
        "other_contact",
        expect="login 404 404 404 404 404",
        note="a contact of another client",
    ),
    row("GET", "clients:contact_delete", "client", "contact", expect="login 200 200 403 403 200"),
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

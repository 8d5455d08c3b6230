"""The import of clients and contacts (SPEC §7.7): matching, the org chart, the rules of clients.services, bad input."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import translation

from clients.models import BuyingRole, Client, Contact
from core.models import Activity
from exchange import reading
from exchange.services import contacts_import
from tests.exchange.helpers import HEADER, csv_bytes, row, xlsx_bytes
from tests.factories import ClientFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(actor, content: bytes, *, filename: str = "contacts.csv", dry_run: bool = False):
    return contacts_import(actor=actor, content=content, filename=filename, dry_run=dry_run)


def errors_of(result) -> list[tuple]:
    return [(error.row, error.column, error.message) for error in result.errors]


def chart_file() -> bytes:
    # The report comes before the manager: the import resolves managers in the whole file.
    return csv_bytes(
        [
            row(name="Jonas Petersen", email="jonas@nordwind.example", reports_to="henrike@nordwind.example"),
            row(name="Henrike Albers", email="henrike@nordwind.example", buying_role="Decision maker"),
            row("Südhafen AG", "Clara Vogt", "clara@suedhafen.example", website="", industry="Ports"),
        ]
    )


def snapshot() -> list:
    return [
        list(Client.objects.order_by("pk").values_list()),
        list(Contact.objects.order_by("pk").values_list()),
        Activity.objects.count(),
    ]


# --- Creating, matching, re-importing ---------------------------------------------------------------
def test_it_creates_clients_and_contacts_with_their_org_chart(rep):
    result = run(rep, chart_file())

    assert result.as_dict() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": []}
    nordwind = Client.objects.get(name="Nordwind GmbH")
    assert nordwind.account_owner == rep  # the importer, when the column is empty
    assert nordwind.brief is not None  # made by client_create, as for any client
    jonas = Contact.objects.get(email="jonas@nordwind.example")
    assert jonas.reports_to.name == "Henrike Albers"
    assert Contact.objects.get(name="Henrike Albers").buying_role == BuyingRole.DECISION_MAKER
    assert Activity.objects.filter(verb="contact_added").count() == 3  # the services logged every write


def test_it_writes_nothing_on_a_dry_run(rep):
    before = snapshot()

    result = run(rep, chart_file(), dry_run=True)

    assert result.as_dict()["created"] == 3
    assert not result.written
    assert snapshot() == before


def test_it_changes_nothing_when_the_same_file_comes_again(rep):
    run(rep, chart_file())
    before = snapshot()

    result = run(rep, chart_file())

    assert result.as_dict() == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "errors": []}
    assert snapshot() == before


def test_it_matches_clients_by_name_whatever_the_case_and_contacts_by_email(rep):
    client = ClientFactory(name="Nordwind GmbH", industry="Logistics", website="https://nordwind.example")
    contact = ContactFactory(client=client, name="H. Albers", email="Henrike@Nordwind.example", title="CEO")

    result = run(rep, csv_bytes([row(client="NORDWIND gmbh", email="henrike@nordwind.example")]))

    assert result.as_dict()["updated"] == 1
    assert Client.objects.count() == 1
    contact.refresh_from_db()
    assert (contact.name, contact.title) == ("Henrike Albers", "Managing Director")
    assert Client.objects.get().name == "Nordwind GmbH"  # matched, not renamed


def test_it_matches_a_contact_without_email_by_name_within_its_client(rep):
    run(rep, csv_bytes([row(email="")]))

    result = run(rep, csv_bytes([row(email="", title="CEO")]))

    assert result.as_dict()["updated"] == 1
    assert Contact.objects.get().title == "CEO"


def test_it_leaves_a_missing_column_alone_and_empties_a_present_empty_cell(rep):
    run(rep, csv_bytes([row()]))
    header = ["client", "name", "email", "phone"]

    run(rep, csv_bytes([["Nordwind GmbH", "Henrike Albers", "henrike@nordwind.example", ""]], header=header))

    contact = Contact.objects.get()
    assert contact.phone == ""
    assert contact.title == "Managing Director"
    assert Client.objects.get().industry == "Logistics"


def test_it_imports_a_client_without_contacts_from_a_row_without_contact_columns(rep):
    result = run(rep, csv_bytes([row(name="", email="", title="", phone="", buying_role="", style="")]))

    assert result.as_dict()["created"] == 1
    assert Client.objects.get().name == "Nordwind GmbH"
    assert not Contact.objects.exists()


def test_it_updates_the_org_chart_without_a_false_loop(rep):
    # Stored: Jonas reports to Henrike. The file turns it round.
    run(rep, chart_file())
    flipped = csv_bytes(
        [
            row(name="Jonas Petersen", email="jonas@nordwind.example"),
            row(name="Henrike Albers", email="henrike@nordwind.example", reports_to="jonas@nordwind.example"),
        ]
    )

    result = run(rep, flipped)

    assert result.errors == []
    assert Contact.objects.get(email="henrike@nordwind.example").reports_to.email == "jonas@nordwind.example"
    assert Contact.objects.get(email="jonas@nordwind.example").reports_to is None


def test_it_resolves_a_manager_already_stored(rep):
    client = ClientFactory(name="Nordwind GmbH")
    boss = ContactFactory(client=client, email="boss@nordwind.example")

    run(rep, csv_bytes([row(reports_to="boss@nordwind.example")]))

    assert Contact.objects.get(email="henrike@nordwind.example").reports_to == boss


# --- Formats ------------------------------------------------------------------------------------------
def test_it_reads_german_headers_and_buying_roles_with_semicolons_in_windows_1252(rep):
    header = [
        "Kunde",
        "Branche",
        "Webseite",
        "Kundenverantwortliche:r",
        "Name",
        "Titel/Position",
        "E-Mail",
        "Telefon",
        "Rolle im Einkauf",
        "Kommunikationsstil",
        "berichtet an",
    ]
    content = csv_bytes(
        [row("Müller Brücken GmbH", "Jürgen Weiß", "weiss@mueller.example", buying_role="Entscheider:in")],
        header=header,
        delimiter=";",
        encoding="cp1252",
    )

    result = run(rep, content)

    assert result.errors == []
    contact = Contact.objects.get()
    assert (contact.client.name, contact.name) == ("Müller Brücken GmbH", "Jürgen Weiß")
    assert contact.buying_role == BuyingRole.DECISION_MAKER


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_it_reads_utf8_with_and_without_bom(rep, encoding):
    content = csv_bytes([row("Grün AG", "Öle Ärger", "oele@gruen.example")], encoding=encoding)

    assert run(rep, content).errors == []
    assert Contact.objects.get().name == "Öle Ärger"


def test_it_reads_headers_in_any_case_and_the_export_labels(rep):
    header = ["CLIENT", "Industry", "Website", "Account owner", "Name", "Title", "E-mail", "Phone", "Buying role",
              "Communication style", "Reports to"]  # fmt: skip

    assert run(rep, csv_bytes([row()], header=header)).errors == []


def test_it_reads_excel_workbooks(rep):
    content = xlsx_bytes([row(phone="+49 40 1"), row(name="Jonas", email="jonas@nordwind.example")])

    result = run(rep, content, filename="contacts.xlsx")

    assert result.as_dict()["created"] == 2
    assert Contact.objects.get(name="Henrike Albers").phone == "+49 40 1"


def test_it_keeps_text_the_export_protected_with_an_apostrophe(rep):
    run(rep, csv_bytes([row(style="'-- no calls on Fridays", phone="'+49 40 1")]))

    contact = Contact.objects.get()
    assert contact.communication_style == "-- no calls on Fridays"
    assert contact.phone == "+49 40 1"


# --- Bad input: each names its row and column, and nothing is written ------------------------------
def assert_refused(actor, content: bytes, expected: tuple, *, filename: str = "contacts.csv") -> None:
    before = snapshot()
    result = run(actor, content, filename=filename)
    assert not result.written
    assert snapshot() == before
    found = errors_of(result)
    assert any(error[:2] == expected[:2] and expected[2] in error[2] for error in found), found


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"%PDF-1.7 \x00\x01binary", "offer.pdf", "Only CSV files and Excel workbooks"),
        (b"PK\x03\x04not really a workbook", "contacts.xlsx", "not a readable Excel workbook"),
        (b"\xd0\xcf\x11\xe0old excel", "contacts.xls", "Old Excel files"),
        (b"", "contacts.csv", "The file is empty."),
        (b"  \r\n", "contacts.csv", "The file is empty."),
        (",".join(HEADER).encode(), "contacts.csv", "no rows under it"),
        ("client,name\r\n".encode("utf-16"), "contacts.csv", "not in a supported encoding"),
        (b"client,name\r\nNordwind,Ren\x81e\r\n", "contacts.csv", "neither UTF-8 nor Windows-1252"),
    ],
    ids=["pdf", "fake-xlsx", "xls", "empty", "blank", "header-only", "utf16", "undefined-bytes"],
)
def test_it_refuses_a_file_it_cannot_read(rep, content, filename, message):
    assert_refused(rep, content, (None, "", message), filename=filename)


def test_it_refuses_more_rows_than_the_limit_with_a_clear_message(rep):
    rows = [row(name=f"Person {n}", email=f"p{n}@nordwind.example") for n in range(reading.MAX_ROWS + 1)]

    assert_refused(rep, csv_bytes(rows), (None, "", "at most 10 000 rows are imported at once"))


def test_it_refuses_a_file_without_a_required_column(rep):
    content = csv_bytes([["Nordwind GmbH", "x@y.example"]], header=["client", "email"])

    assert_refused(rep, content, (1, "name", "The required column “name” is missing."))


def test_it_ignores_an_unknown_column_with_a_note(rep):
    content = csv_bytes([[*row(), "42"]], header=[*HEADER, "Shoe size"])

    result = run(rep, content)

    assert result.errors == []
    assert result.notes == ["The column “Shoe size” is not one the import knows; it was ignored."]
    assert Contact.objects.count() == 1


def test_it_refuses_a_contact_twice_in_one_file(rep):
    assert_refused(rep, csv_bytes([row(), row(title="CEO")]), (3, "email", "Row 2 has the same contact"))


def test_it_refuses_a_manager_of_another_client(rep):
    content = csv_bytes(
        [
            row("Südhafen AG", "Clara Vogt", "clara@suedhafen.example"),
            row(reports_to="clara@suedhafen.example"),
        ]
    )

    assert_refused(rep, content, (3, "reports_to", "works for Südhafen AG"))


def test_it_refuses_a_manager_nobody_knows(rep):
    assert_refused(rep, csv_bytes([row(reports_to="ghost@nordwind.example")]), (2, "reports_to", "No contact"))


def test_it_refuses_a_loop_in_the_file(rep):
    content = csv_bytes(
        [
            row(name="A", email="a@nordwind.example", reports_to="b@nordwind.example"),
            row(name="B", email="b@nordwind.example", reports_to="a@nordwind.example"),
        ]
    )

    assert_refused(rep, content, (2, "reports_to", "loop in the organisation chart: A → B → A"))


def test_it_refuses_a_loop_through_stored_contacts(rep):
    client = ClientFactory(name="Nordwind GmbH")
    boss = ContactFactory(client=client, name="Boss", email="boss@nordwind.example")
    ContactFactory(client=client, name="Henrike Albers", email="henrike@nordwind.example")
    boss.reports_to = Contact.objects.get(name="Henrike Albers")
    boss.save()

    assert_refused(rep, csv_bytes([row(reports_to="boss@nordwind.example")]), (2, "reports_to", "loop"))


def test_it_refuses_an_account_owner_who_is_not_a_sales_rep(rep, pm):
    assert_refused(rep, csv_bytes([row(account_owner="pm")]), (2, "account_owner", "not an active sales rep"))


def test_it_refuses_an_unknown_account_owner(rep):
    assert_refused(rep, csv_bytes([row(account_owner="nobody")]), (2, "account_owner", "No user is called"))


def test_it_lets_only_the_account_owner_change_the_account_owner(rep, other_rep):
    ClientFactory(
        name="Nordwind GmbH", account_owner=other_rep, industry="Logistics", website="https://nordwind.example"
    )

    assert_refused(rep, csv_bytes([row(account_owner="rep")]), (2, "account_owner", "Only the account owner"))
    assert run(other_rep, csv_bytes([row(account_owner="rep")])).errors == []
    assert Client.objects.get().account_owner == rep


@pytest.mark.parametrize("cell", ["=1+2", '=HYPERLINK("http://x")', "+SUM(A1:A2)", "@SUM(1)", "-cmd|' /C calc'!A0"])
def test_it_refuses_formulas_in_a_csv(rep, cell):
    assert_refused(rep, csv_bytes([row(title=cell)]), (2, "title", "formula"))


def test_it_refuses_formula_cells_in_a_workbook(rep):
    content = xlsx_bytes([row(title='=CONCATENATE("a","b")')])

    assert_refused(rep, content, (2, "title", "formula"), filename="contacts.xlsx")


def test_it_keeps_phone_numbers_and_notes_that_start_like_formulas(rep):
    result = run(rep, csv_bytes([row(phone="+49 (40) 123-456", style="- prefers calls (mornings)")]))

    assert result.errors == []


def test_it_refuses_two_values_for_one_client(rep):
    content = csv_bytes([row(), row(name="Jonas", email="jonas@nordwind.example", industry="Shipping")])

    assert_refused(rep, content, (3, "industry", "An earlier row says “Logistics”"))


def test_it_refuses_an_unknown_buying_role(rep):
    assert_refused(rep, csv_bytes([row(buying_role="boss")]), (2, "buying_role", "is not a buying role"))


def test_it_puts_the_services_errors_on_their_row_and_column(rep):
    content = csv_bytes([row(), row(name="Jonas", email="not-an-email"), row("Other", website="no url", email="")])

    result = run(rep, content)

    columns = {(error.row, error.column) for error in result.errors}
    assert (3, "email") in columns
    assert (4, "website") in columns
    assert not Client.objects.exists()  # all rows or none


def test_it_refuses_a_contact_that_belongs_to_another_client(rep):
    ContactFactory(client=ClientFactory(name="Other AG"), email="henrike@nordwind.example")

    assert_refused(rep, csv_bytes([row()]), (2, "email", "works for Other AG"))


@pytest.mark.parametrize("persona", ["pm", "manager", "outsider"])
def test_it_is_for_sales_reps_only(request, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        run(user, chart_file(), dry_run=True)


# --- In German ------------------------------------------------------------------------------------------
def test_it_explains_errors_in_german(rep, german):
    with translation.override("de"):
        result = run(rep, csv_bytes([row(buying_role="Chef")]))
        empty = run(rep, b"")

    assert "ist keine Rolle im Einkauf" in result.errors[0].message
    assert "Entscheider:in" in result.errors[0].message
    assert empty.errors[0].message == "Die Datei ist leer."


def test_it_counts_a_new_user_created_with_the_client_as_owner(rep):
    owner = UserFactory(username="sam", roles=["sales"])

    run(rep, csv_bytes([row(account_owner="Sam")]))  # user names match whatever the case

    assert Client.objects.get().account_owner == owner


def test_it_tells_people_who_share_a_mailbox_apart_by_name(rep):
    shared = "info@kaufmann.example"
    content = csv_bytes(
        [
            row("Kaufmann KG", "Georg Kaufmann", shared),
            row("Kaufmann KG", "Julia Kaufmann", shared, reports_to="Georg Kaufmann"),
        ]
    )

    assert run(rep, content).errors == []
    assert run(rep, content).as_dict()["unchanged"] == 2
    assert Contact.objects.get(name="Julia Kaufmann").reports_to.name == "Georg Kaufmann"


def test_it_refuses_a_manager_named_by_a_shared_email(rep):
    shared = "info@kaufmann.example"
    content = csv_bytes(
        [
            row("Kaufmann KG", "Georg Kaufmann", shared),
            row("Kaufmann KG", "Julia Kaufmann", shared),
            row("Kaufmann KG", "Tim Lehr", "tim@kaufmann.example", reports_to=shared),
        ]
    )

    assert_refused(rep, content, (4, "reports_to", "Several contacts of this client are known as"))


# --- Speed: the queries do not grow with the rows ---------------------------------------------------
def many_rows(count: int, *, title: str = "Managing Director", industry: str = "Logistics") -> bytes:
    """``count`` contacts, five a client, the first of each five the manager of the other four (by e-mail)."""
    rows = []
    for number in range(count):
        client, position = divmod(number, 5)
        manager = f"p0@c{client}.example" if position else ""
        rows.append(
            row(
                f"Client {client}",
                f"Person {position}",
                f"p{position}@c{client}.example",
                title=title,
                industry=industry,
                reports_to=manager,
            )
        )
    return csv_bytes(rows)


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("dry_run", [True, False])
def test_it_makes_as_many_queries_for_100_new_rows_as_for_10(rep, count, dry_run, django_assert_num_queries):
    ContentType.objects.clear_cache()  # each test looks the activity log's types up once
    with django_assert_num_queries(31 if dry_run else 30):
        result = run(rep, many_rows(count), dry_run=dry_run)

    assert result.as_dict() == {"rows": count, "created": count, "updated": 0, "unchanged": 0, "errors": []}


@pytest.mark.parametrize("count", [10, 100])
def test_it_makes_as_many_queries_for_100_changed_rows_as_for_10(rep, count, django_assert_num_queries):
    run(rep, many_rows(count))
    Contact.objects.update(reports_to=None)
    ContentType.objects.clear_cache()

    with django_assert_num_queries(34):
        result = run(rep, many_rows(count, title="Owner", industry="Ports"))

    assert result.as_dict() == {"rows": count, "created": 0, "updated": count, "unchanged": 0, "errors": []}
    assert Contact.objects.filter(title="Owner", reports_to__isnull=False).count() == count * 4 // 5
    assert set(Client.objects.values_list("industry", flat=True)) == {"Ports"}

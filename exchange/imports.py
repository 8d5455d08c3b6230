"""Importing clients and contacts (SPEC §7.7): read, check, then write every row through clients.services.

One row per contact: ``client, industry, website, account_owner, name, title,
email, phone, buying_role, communication_style, reports_to``. A row with a
client and no contact columns filled only creates or updates the client (that
is how an export lists a client without contacts, so it imports back).

Matching, so that importing the same file twice changes nothing: clients by
name whatever the case, contacts by e-mail (whatever the case), and a contact
without e-mail by its name within its client. A column missing from the file
leaves that field alone; an empty cell in a column that is there empties the
field, except ``account_owner`` (empty: the importer for a new client, the
current owner for an existing one) and ``buying_role`` (empty: "other" for a
new contact, unchanged for an existing one).

``run_import`` checks everything it can on the whole file first (columns,
duplicates, the org chart including cycles, account owners, formulas) against
a few queries made up front (the file's clients, users and contacts), then
writes every row through the services in ONE transaction, in batches (their
many-at-once functions: a few queries a batch, not a row), so the services'
own rules (unique names, cycles, lengths, e-mail and URL formats, who may
change an account owner) hold for imported rows too and their errors land on
the row and column they belong to. A dry run, or any error, rolls the whole
transaction back: all rows or none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from clients.models import BuyingRole, Client, Contact
from clients.services import (
    ManyInvalid,
    can_manage_account,
    clients_create_many,
    clients_update_many,
    contacts_create_many,
    contacts_update_many,
)
from exchange.reading import FileRefused, Table, read_table

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_RANK = {UNCHANGED: 0, UPDATE: 1, CREATE: 2}
ACTION_LABELS = {CREATE: gettext_lazy("create"), UPDATE: gettext_lazy("update"), UNCHANGED: gettext_lazy("unchanged")}

CLIENT_COLUMNS = ("client", "industry", "website", "account_owner")
CONTACT_COLUMNS = ("name", "title", "email", "phone", "buying_role", "communication_style", "reports_to")
COLUMNS = CLIENT_COLUMNS + CONTACT_COLUMNS
REQUIRED = ("client", "name")

# Each column: its English and German labels (the export's headers, glossary terms) and other
# spellings seen in CRM exports. Compared after ``_normal`` (case, spaces, - and _ ignored).
COLUMN_LABELS: dict[str, tuple[Any, ...]] = {
    "client": (gettext_lazy("Client"), "Kunde", "Kundenname", "Client name", "Company", "Firma", "Organisation"),
    "industry": (gettext_lazy("Industry"), "Branche"),
    "website": (gettext_lazy("Website"), "Webseite", "Website", "Web", "URL"),
    "account_owner": (
        gettext_lazy("Account owner"),
        "Kundenverantwortliche:r",
        "Kundenverantwortliche",
        "Kundenverantwortlicher",
        "Account owner (user name)",
    ),
    "name": (gettext_lazy("Name"), "Name", "Contact", "Kontakt", "Ansprechpartner:in", "Ansprechpartner"),
    "title": (gettext_lazy("Title"), "Titel", "Position", "Titel/Position", "Job title", "Funktion"),
    "email": (gettext_lazy("E-mail"), "E-Mail", "Mail", "E-Mail-Adresse", "Email address"),
    "phone": (gettext_lazy("Phone"), "Telefon", "Telefonnummer", "Phone number", "Tel"),
    "buying_role": (gettext_lazy("Buying role"), "Rolle im Einkauf", "Einkaufsrolle", "Role"),
    "communication_style": (gettext_lazy("Communication style"), "Kommunikationsstil"),
    "reports_to": (gettext_lazy("Reports to"), "berichtet an", "Vorgesetzte:r", "Manager"),
}
# Buying roles by their German glossary labels (the English value and labels are accepted too).
BUYING_ROLE_LABELS_DE = {
    BuyingRole.DECISION_MAKER: ("Entscheider:in", "Entscheider", "Entscheiderin"),
    BuyingRole.INFLUENCER: ("Beeinflusser:in", "Beeinflusser", "Beeinflusserin"),
    BuyingRole.CHAMPION: ("Fürsprecher:in", "Fürsprecher", "Fürsprecherin"),
    BuyingRole.USER: ("Anwender:in", "Anwender", "Anwenderin"),
    BuyingRole.BLOCKER: ("Blockierer:in", "Blockierer", "Blockiererin"),
    BuyingRole.OTHER: ("Sonstige", "Sonstiges", "Andere"),
}
# A cell a spreadsheet would run: "=..." always; "+", "-" or "@" right before a function call, or a DDE
# command ("-cmd|' /C calc'!A0"). A phone number ("+49 40 ...") or a note ("- calls only") is text.
FORMULA = re.compile(r"^\s*(=|[+\-@]\s*[A-Za-z_][\w.]*\(|[+\-@].*\|.*!)", re.DOTALL)
# The export writes text starting like a formula with an apostrophe in front: it is text, not a formula.
ESCAPED = re.compile(r"^'(?=[=+\-@\t\r])")


def _normal(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(text)).casefold()


def _header_names() -> dict[str, str]:
    """Every accepted spelling of every column -> the column, in English, German and the active language."""
    names: dict[str, str] = {}
    for column, labels in COLUMN_LABELS.items():
        names[_normal(column)] = column
        for label in labels:
            for language in ("en", "de"):
                with translation.override(language):
                    names.setdefault(_normal(str(label)), column)
            names.setdefault(_normal(str(label)), column)
    return names


def _buying_roles() -> dict[str, str]:
    roles: dict[str, str] = {}
    for value, label in BuyingRole.choices:
        roles[_normal(value)] = value
        for language in ("en", "de"):
            with translation.override(language):
                roles.setdefault(_normal(str(label)), value)
    for value, labels in BUYING_ROLE_LABELS_DE.items():
        for label in labels:
            roles.setdefault(_normal(label), value)
    return roles


def _role_label(value: str) -> str:
    """A buying role as the user's language names it (the glossary's German label in German)."""
    if (translation.get_language() or "").startswith("de"):
        return BUYING_ROLE_LABELS_DE[value][0]
    return str(BuyingRole(value).label)


# --- Results ----------------------------------------------------------------------------------------
@dataclass
class RowError:
    row: int | None  # None: the file as a whole; 1: the header row
    column: str  # "" for the row as a whole
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column or None, "message": self.message}


@dataclass
class PreviewRow:
    number: int
    cells: dict[str, str]
    action: str = UNCHANGED
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def has_errors(self) -> bool:
        return any(self.errors.values())

    def cell_list(self, columns: list[str]) -> list[tuple[str, str, list[str]]]:
        """(column, value, its errors) in ``columns`` order, for the preview table."""
        return [(column, self.cells.get(column, ""), list(self.errors.get(column, []))) for column in columns]

    @property
    def row_messages(self) -> list[str]:
        """Errors about the row as a whole (no column)."""
        return list(self.errors.get("", []))

    @property
    def error_list(self) -> list[tuple[str, str]]:
        return [(column, message) for column, messages in self.errors.items() for message in messages]


@dataclass
class ImportResult:
    columns: list[str] = field(default_factory=list)
    lines: list[PreviewRow] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def errors(self) -> list[RowError]:
        row_errors = [
            RowError(line.number, column, message) for line in self.lines for column, message in line.error_list
        ]
        return self.file_errors + row_errors

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action and not line.has_errors)

    def as_dict(self) -> dict[str, Any]:
        # With errors nothing is written; the counts still say what the rows without errors would do.
        return {
            "rows": len(self.lines),
            "created": self.count(CREATE),
            "updated": self.count(UPDATE),
            "unchanged": self.count(UNCHANGED),
            "errors": [error.as_dict() for error in self.errors],
        }


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


# --- The plan: what each row means, checked on the whole file -------------------------------------
@dataclass
class _ClientPlan:
    key: str
    name: str
    rows: list[PreviewRow] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    existing: Client | None = None
    owner: User | None = None
    instance: Client | None = None
    failed: bool = False


@dataclass
class _ContactPlan:
    line: PreviewRow
    client: _ClientPlan
    values: dict[str, str]
    existing: Contact | None = None
    instance: Contact | None = None
    # The manager as a key of this plan ("file:<row>") or an existing contact ("db:<pk>"); None: no one.
    manager: str | None = None
    manager_given: bool = False


def _clean_cell(table: Table, number: int, index: int, raw: str, line: PreviewRow, column: str) -> str:
    if (number, index) in table.formulas or (not ESCAPED.match(raw) and FORMULA.match(raw)):
        line.errors[column].append(_("This cell holds a formula; import values only."))
        return ""
    return ESCAPED.sub("", raw).strip()


class _Importer:
    def __init__(self, *, actor: User, table: Table) -> None:
        self.actor = actor
        self.table = table
        self.result = ImportResult()
        self.clients: dict[str, _ClientPlan] = {}
        self.contacts: list[_ContactPlan] = []

    # -- columns --------------------------------------------------------------------------------
    def map_columns(self) -> dict[int, str]:
        names = _header_names()
        mapping: dict[int, str] = {}
        seen: dict[str, str] = {}
        for index, header in enumerate(self.table.data.headers):
            if not header.strip():
                continue
            column = names.get(_normal(header))
            if column is None:
                self.result.notes.append(
                    _("The column “%(header)s” is not one the import knows; it was ignored.") % {"header": header}
                )
                continue
            if column in seen:
                self.result.file_errors.append(
                    RowError(
                        1,
                        column,
                        _("The columns “%(first)s” and “%(second)s” both mean %(column)s; keep one of them.")
                        % {"first": seen[column], "second": header, "column": column},
                    )
                )
                continue
            seen[column] = header
            mapping[index] = column
        for column in REQUIRED:
            if column not in seen:
                self.result.file_errors.append(
                    RowError(1, column, _("The required column “%(column)s” is missing.") % {"column": column})
                )
        self.result.columns = [column for column in COLUMNS if column in seen]
        return mapping

    # -- rows -----------------------------------------------------------------------------------
    def read_rows(self, mapping: dict[int, str]) -> None:
        for position, raw_row in enumerate(self.table.data):
            number = self.table.numbers[position]
            line = PreviewRow(number=number, cells={})
            for index, column in mapping.items():
                line.cells[column] = _clean_cell(self.table, number, index, str(raw_row[index]), line, column)
            self.result.lines.append(line)

    def plan(self) -> None:
        columns = set(self.result.columns)
        roles = _buying_roles()
        names = {line.cells.get("client", "").casefold() for line in self.result.lines} - {""}
        existing_clients = {
            client.lname: client
            for client in Client.objects.annotate(lname=Lower("name"))
            .filter(lname__in=names)
            .select_related("account_owner")
        }
        usernames = {line.cells.get("account_owner", "") for line in self.result.lines} - {""}
        users = {
            user.username.casefold(): user
            for user in User.objects.with_roles()
            .annotate(lname=Lower("username"))
            .filter(lname__in={username.casefold() for username in usernames})
        }
        # The file's e-mails and its managers named by e-mail: every stored contact the rows can mean, at once.
        emails = {line.cells.get("email", "").casefold() for line in self.result.lines} - {""}
        emails |= {line.cells.get("reports_to", "").casefold() for line in self.result.lines} - {""}
        by_email: dict[str, list[Contact]] = defaultdict(list)
        for contact in (
            Contact.objects.annotate(lemail=Lower("email")).filter(lemail__in=emails).select_related("client")
        ):
            by_email[contact.email.casefold()].append(contact)
        client_ids = [client.pk for client in existing_clients.values()]
        stored = list(Contact.objects.filter(client_id__in=client_ids)) if client_ids else []
        self.by_email = by_email
        self.stored_by_client: dict[int, list[Contact]] = defaultdict(list)
        for contact in stored:
            self.stored_by_client[contact.client_id].append(contact)
        seen_contacts: dict[tuple, int] = {}
        seen_client_rows: dict[str, int] = {}

        for line in self.result.lines:
            cells = line.cells
            name = cells.get("client", "")
            if not name:
                line.errors["client"].append(_("Name the client."))
                continue
            key = name.casefold()
            plan = self.clients.get(key)
            if plan is None:
                plan = self.clients[key] = _ClientPlan(key=key, name=name, existing=existing_clients.get(key))
            plan.rows.append(line)
            for column in ("industry", "website", "account_owner"):
                if column not in columns or not cells.get(column):
                    continue
                value = cells[column]
                earlier = plan.values.get(column)
                if earlier is not None and earlier != value:
                    line.errors[column].append(
                        _("An earlier row says “%(earlier)s” for this client; one client, one value.")
                        % {"earlier": earlier}
                    )
                    continue
                plan.values[column] = value
            if "account_owner" in cells and cells["account_owner"] and plan.owner is None:
                owner = users.get(cells["account_owner"].casefold())
                if owner is None:
                    line.errors["account_owner"].append(
                        _("No user is called “%(username)s”.") % {"username": cells["account_owner"]}
                    )
                elif not owner.is_active or not owner.is_sales:
                    line.errors["account_owner"].append(
                        _("%(name)s is not an active sales rep; the account owner must be one.")
                        % {"name": owner.username}
                    )
                else:
                    plan.owner = owner

            contact_values = {column: cells.get(column, "") for column in CONTACT_COLUMNS if column in columns}
            if not any(contact_values.values()):
                if key in seen_client_rows:
                    line.errors["client"].append(
                        _("Row %(row)s already names this client without a contact.") % {"row": seen_client_rows[key]}
                    )
                seen_client_rows[key] = line.number
                continue  # a client without a contact
            if not contact_values.get("name"):
                line.errors["name"].append(_("Give the contact a name."))
                continue
            email = contact_values.get("email", "").casefold()
            # Two people may share a mailbox (a family business): with the same e-mail, the name tells them apart.
            identity = (key, email, contact_values["name"].casefold())
            if identity in seen_contacts:
                if email:
                    message = _("Row %(row)s has the same contact (same name and e-mail); each contact once, please.")
                else:
                    message = _("Row %(row)s has a contact of this name at this client; each contact once, please.")
                line.errors["email" if email else "name"].append(message % {"row": seen_contacts[identity]})
                continue
            seen_contacts[identity] = line.number
            if "buying_role" in contact_values:
                raw = contact_values["buying_role"]
                if raw:
                    role = roles.get(_normal(raw))
                    if role is None:
                        line.errors["buying_role"].append(
                            _("“%(value)s” is not a buying role; use one of: %(choices)s.")
                            % {"value": raw, "choices": ", ".join(_role_label(value) for value in BuyingRole.values)}
                        )
                    contact_values["buying_role"] = role or ""
            self.contacts.append(_ContactPlan(line=line, client=plan, values=contact_values))

        sharing = defaultdict(int)
        for contact in self.contacts:
            sharing[(contact.client.key, contact.values.get("email", "").casefold())] += 1
        for contact in self.contacts:
            email = contact.values.get("email", "").casefold()
            contact.existing = self._match(contact, by_email, email, alone=sharing[(contact.client.key, email)] == 1)
        for plan in self.clients.values():
            self._check_owner_change(plan)
        self._plan_managers()

    def _match(
        self, contact: _ContactPlan, by_email: dict[str, list[Contact]], email: str, *, alone: bool
    ) -> Contact | None:
        """The stored contact this row is: by e-mail; by e-mail and name where several share the e-mail."""
        client = contact.client.existing
        name = contact.values["name"].casefold()
        if email:
            matches = by_email.get(email, [])
            same_client = [found for found in matches if client is not None and found.client_id == client.pk]
            named = [found for found in same_client if found.name.casefold() == name]
            if named:
                return named[0]
            if len(same_client) == 1 and alone:
                return same_client[0]  # the one contact with this e-mail, under a new name
            if same_client:
                return None  # another person sharing the mailbox: a new contact
            if matches:
                contact.line.errors["email"].append(
                    _("A contact with this e-mail works for %(client)s; a contact stays with their client.")
                    % {"client": matches[0].client.name}
                )
            return None
        if client is None:
            return None
        named = [found for found in self.stored_by_client.get(client.pk, []) if found.name.casefold() == name]
        return named[0] if len(named) == 1 else None

    def _check_owner_change(self, plan: _ClientPlan) -> None:
        if plan.existing is None or plan.owner is None or plan.owner.pk == plan.existing.account_owner_id:
            return
        if not can_manage_account(self.actor, plan.existing):
            line = next(line for line in plan.rows if line.cells.get("account_owner"))
            line.errors["account_owner"].append(
                _("Only the account owner (%(owner)s) or a manager changes the account owner of %(client)s.")
                % {"owner": plan.existing.account_owner.username, "client": plan.existing.name}
            )

    # -- the organisation chart -----------------------------------------------------------------
    def _plan_managers(self) -> None:
        if "reports_to" not in self.result.columns:
            return
        # client key -> e-mail or "name:<name>" -> the file's contacts known by it
        in_file: dict[str, dict[str, list[_ContactPlan]]] = defaultdict(lambda: defaultdict(list))
        elsewhere: dict[str, _ContactPlan] = {}
        for contact in self.contacts:
            for ident in (contact.values.get("email", "").casefold(), "name:" + contact.values["name"].casefold()):
                if ident and ident != "name:":
                    in_file[contact.client.key][ident].append(contact)
                    elsewhere.setdefault(ident, contact)
        for contact in self.contacts:
            raw = contact.values.get("reports_to", "")
            contact.manager_given = True
            if not raw:
                continue
            ident = raw.casefold() if "@" in raw else "name:" + raw.casefold()
            targets = in_file[contact.client.key].get(ident, [])
            stored_targets = self._stored_managers(contact, raw)
            if len(targets) > 1 or (not targets and len(stored_targets) > 1):
                contact.line.errors["reports_to"].append(
                    _(
                        "Several contacts of this client are known as “%(manager)s”; name the manager by e-mail if "
                        "it is theirs alone, or else by name."
                    )
                    % {"manager": raw}
                )
                continue
            target = targets[0] if targets else None
            if target is not None:
                if target is contact:
                    contact.line.errors["reports_to"].append(_("A contact cannot report to themselves."))
                else:
                    contact.manager = f"file:{target.line.number}"
                continue
            stored = stored_targets[0] if stored_targets else None
            if stored is not None:
                if contact.existing is not None and stored.pk == contact.existing.pk:
                    contact.line.errors["reports_to"].append(_("A contact cannot report to themselves."))
                else:
                    contact.manager = f"db:{stored.pk}"
                continue
            other = elsewhere.get(ident)
            other_stored = next(iter(self.by_email.get(raw.casefold(), [])), None) if "@" in raw else None
            if other is not None or other_stored is not None:
                client_name = other.client.name if other is not None else other_stored.client.name
                contact.line.errors["reports_to"].append(
                    _("%(manager)s works for %(client)s; a contact reports to someone of the same client.")
                    % {"manager": raw, "client": client_name}
                )
            else:
                contact.line.errors["reports_to"].append(
                    _("No contact “%(manager)s” in this file or at this client.") % {"manager": raw}
                )
        self._check_cycles()

    def _stored_managers(self, contact: _ContactPlan, raw: str) -> list[Contact]:
        client = contact.client.existing
        if client is None:
            return []
        wanted = raw.casefold()
        stored = self.stored_by_client.get(client.pk, [])
        return [c for c in stored if (c.email.casefold() == wanted if "@" in raw else c.name.casefold() == wanted)]

    def _node(self, contact: _ContactPlan) -> str:
        return f"db:{contact.existing.pk}" if contact.existing is not None else f"file:{contact.line.number}"

    def final_chart(self) -> dict[str, str | None]:
        """The chart after the import: node -> manager node, over the file and the stored contacts of its clients."""
        chart: dict[str, str | None] = {}
        for contacts in self.stored_by_client.values():
            for stored in contacts:
                chart[f"db:{stored.pk}"] = f"db:{stored.reports_to_id}" if stored.reports_to_id else None
        alias = {f"file:{c.line.number}": self._node(c) for c in self.contacts}
        for contact in self.contacts:
            node = self._node(contact)
            if contact.manager_given and not contact.line.errors.get("reports_to"):
                chart[node] = alias.get(contact.manager, contact.manager) if contact.manager else None
            else:
                chart.setdefault(node, None)
        return chart

    def _check_cycles(self) -> None:
        chart = self.final_chart()
        by_node = {self._node(contact): contact for contact in self.contacts}
        reported: set[str] = set()
        for start in by_node:
            path: list[str] = []
            step: str | None = start
            while step is not None and step not in path:
                path.append(step)
                step = chart.get(step)
            if step is None or step in reported:
                continue
            loop = path[path.index(step) :]
            reported.update(loop)
            names = [by_node[node].values["name"] if node in by_node else node for node in loop]
            chain = " → ".join([*names, names[0]])
            for node in loop:
                if node in by_node:
                    by_node[node].line.errors["reports_to"].append(
                        _("This would make a loop in the organisation chart: %(chain)s.") % {"chain": chain}
                    )

    # -- writing --------------------------------------------------------------------------------
    # Rows are written in batches through the services' many-at-once functions (a few queries per
    # batch, whatever its size); a batch with refused items is written again without them, so every
    # row's errors are found in one run (and the import, having errors, is rolled back).
    def write(self) -> None:
        columns = set(self.result.columns)
        new_clients: list[_ClientPlan] = []
        stored_clients: list[_ClientPlan] = []
        for plan in self.clients.values():
            if any(line.errors.get(column) for line in plan.rows for column in (*CLIENT_COLUMNS, "")):
                plan.failed = True
            else:
                (new_clients if plan.existing is None else stored_clients).append(plan)
        self._update_clients(stored_clients, columns)
        self._create_clients(new_clients, columns)
        contacts = [c for c in self.contacts if not c.client.failed and not c.line.has_errors]
        self._update_contacts([c for c in contacts if c.existing is not None])
        self.by_file = {f"file:{c.line.number}": c for c in self.contacts}
        self.stored_managers = Contact.objects.in_bulk(
            [int(c.manager[3:]) for c in contacts if c.manager and c.manager.startswith("db:")]
        )
        # New contacts are created with their manager, managers first: one batch per level of the chart.
        for level in self._levels([c for c in contacts if c.existing is None]):
            self._create_contacts(level)
        self._write_managers()  # the stored contacts' managers

    def _errors_to(self, line: PreviewRow, error: Exception, field_to_column: dict[str, str]) -> None:
        if isinstance(error, PermissionDenied):
            line.errors[""].append(str(error) or _("You may not change this."))
            return
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for name, texts in messages.items():
            column = field_to_column.get(name, name if name in COLUMNS else "")
            line.errors[column].extend(texts)

    def _many(self, lines: list[PreviewRow], call: Any, items: list[Any], field_to_column: dict[str, str]) -> list:
        """``call(items)`` (a many-at-once service); each refused item's errors on its line, the rest written.

        Returns each item's written instance, None for a refused one.
        """
        written: list[Any] = [None] * len(items)
        remaining = list(range(len(items)))
        while remaining:
            try:
                with transaction.atomic():
                    instances = call([items[index] for index in remaining])
            except ManyInvalid as invalid:
                refused = {remaining[position] for position in invalid.errors}
                for position, error in invalid.errors.items():
                    self._errors_to(lines[remaining[position]], error, field_to_column)
                remaining = [index for index in remaining if index not in refused]
                continue
            except (ValidationError, PermissionDenied) as error:
                for index in remaining:
                    self._errors_to(lines[index], error, field_to_column)
                return written
            for index, instance in zip(remaining, instances, strict=True):
                written[index] = instance
            break
        return written

    def _promote(self, line: PreviewRow, action: str) -> None:
        if ACTION_RANK[action] > ACTION_RANK[line.action]:
            line.action = action

    def _create_clients(self, plans: list[_ClientPlan], columns: set[str]) -> None:
        items = [
            {
                "name": plan.name,
                "account_owner": plan.owner,
                **{column: plan.values.get(column, "") for column in ("industry", "website") if column in columns},
            }
            for plan in plans
        ]
        written = self._many(
            [plan.rows[0] for plan in plans],
            lambda batch: clients_create_many(actor=self.actor, clients=batch),
            items,
            {"name": "client", "__all__": "client"},
        )
        for plan, instance in zip(plans, written, strict=True):
            plan.instance = instance
            if instance is None:
                plan.failed = True
            else:
                self._promote(plan.rows[0], CREATE)

    def _update_clients(self, plans: list[_ClientPlan], columns: set[str]) -> None:
        changing: list[tuple[_ClientPlan, dict[str, Any]]] = []
        for plan in plans:
            values = {column: plan.values.get(column, "") for column in ("industry", "website") if column in columns}
            changes: dict[str, Any] = {
                column: value for column, value in values.items() if getattr(plan.existing, column) != value
            }
            if plan.owner is not None and plan.owner.pk != plan.existing.account_owner_id:
                changes["account_owner"] = plan.owner
            if changes:
                changing.append((plan, changes))
            else:
                plan.instance = plan.existing
        written = self._many(
            [plan.rows[0] for plan, _changes in changing],
            lambda batch: clients_update_many(actor=self.actor, updates=batch),
            [(plan.existing, changes) for plan, changes in changing],
            {"name": "client", "__all__": "client"},
        )
        for (plan, _changes), instance in zip(changing, written, strict=True):
            plan.instance = instance
            if instance is None:
                plan.failed = True
            else:
                self._promote(plan.rows[0], UPDATE)

    def _contact_values(self, contact: _ContactPlan) -> dict[str, str]:
        return {
            column: value for column, value in contact.values.items() if column not in ("reports_to", "buying_role")
        }

    def _levels(self, new: list[_ContactPlan]) -> list[list[_ContactPlan]]:
        """The new contacts by their depth below the other new contacts of the file (0: no new manager)."""
        is_new = {id(contact) for contact in new}
        depth: dict[int, int] = {}
        for contact in new:
            chain: list[_ContactPlan] = []
            step: _ContactPlan | None = contact
            while step is not None and id(step) in is_new and id(step) not in depth and step not in chain:
                chain.append(step)
                step = self.by_file.get(step.manager or "")
            level = depth[id(step)] + 1 if step is not None and id(step) in depth else 0
            for member in reversed(chain):
                depth[id(member)] = level
                level += 1
        levels: dict[int, list[_ContactPlan]] = defaultdict(list)
        for contact in new:
            levels[depth[id(contact)]].append(contact)
        return [levels[level] for level in sorted(levels)]

    def _manager_of(self, contact: _ContactPlan) -> tuple[bool, Contact | None]:
        """(whether it is known, the manager): not known when the manager's own row failed."""
        if not contact.manager:
            return True, None
        if contact.manager.startswith("file:"):
            manager = self.by_file[contact.manager].instance
            return manager is not None, manager
        return True, self.stored_managers[int(contact.manager[3:])]

    def _create_contacts(self, contacts: list[_ContactPlan]) -> None:
        items = []
        for contact in contacts:
            item = {
                "client": contact.client.instance,
                "buying_role": contact.values.get("buying_role") or BuyingRole.OTHER,
                **self._contact_values(contact),
            }
            known, manager = self._manager_of(contact)
            if known and manager is not None:
                item["reports_to"] = manager  # else none: the manager's row failed, its error is there
            items.append(item)
        written = self._many(
            [contact.line for contact in contacts],
            lambda batch: contacts_create_many(actor=self.actor, contacts=batch),
            items,
            {"__all__": ""},
        )
        for contact, instance in zip(contacts, written, strict=True):
            contact.instance = instance
            if instance is not None:
                self._promote(contact.line, CREATE)

    def _update_contacts(self, contacts: list[_ContactPlan]) -> None:
        changing: list[tuple[_ContactPlan, dict[str, str]]] = []
        for contact in contacts:
            values = self._contact_values(contact)
            if contact.values.get("buying_role"):
                values["buying_role"] = contact.values["buying_role"]
            changes = {column: value for column, value in values.items() if getattr(contact.existing, column) != value}
            if changes:
                changing.append((contact, changes))
            else:
                contact.instance = contact.existing
        written = self._many(
            [contact.line for contact, _changes in changing],
            lambda batch: contacts_update_many(actor=self.actor, updates=batch),
            [(contact.existing, changes) for contact, changes in changing],
            {"__all__": ""},
        )
        for (contact, _changes), instance in zip(changing, written, strict=True):
            contact.instance = instance
            if instance is not None:
                self._promote(contact.line, UPDATE)

    def _write_managers(self) -> None:
        """Each stored contact's manager, managers first: every step leaves the chart without a loop."""
        if "reports_to" not in self.result.columns:
            return
        by_file = self.by_file
        written = [c for c in self.contacts if c.existing is not None and c.instance is not None]
        written = [c for c in written if not c.line.has_errors]
        depth_cache: dict[int, int] = {}

        def depth(contact: _ContactPlan, seen: frozenset = frozenset()) -> int:
            key = contact.line.number
            if key in depth_cache:
                return depth_cache[key]
            parent = by_file.get(contact.manager or "")
            result = 0 if parent is None or key in seen else 1 + depth(parent, seen | {key})
            depth_cache[key] = result
            return result

        changing: list[tuple[_ContactPlan, Contact | None]] = []
        for contact in sorted(written, key=depth):
            known, manager = self._manager_of(contact)
            if not known:
                continue  # the manager's row failed: its error is on that row
            # The instance was read in this transaction (the plan's, or the services' own after a change).
            if contact.instance.reports_to_id != (manager.pk if manager else None):
                changing.append((contact, manager))
        done = self._many(
            [contact.line for contact, _manager in changing],
            lambda batch: contacts_update_many(actor=self.actor, updates=batch),
            [(contact.instance, {"reports_to": manager}) for contact, manager in changing],
            {"__all__": "reports_to"},
        )
        for (contact, _manager), updated in zip(changing, done, strict=True):
            if updated is not None:
                self._promote(contact.line, UPDATE)


def run_import(*, actor: User, content: bytes, filename: str, dry_run: bool) -> ImportResult:
    """Check the file and, unless ``dry_run``, write it: all rows or none, in one transaction."""
    try:
        table = read_table(content, filename)
    except FileRefused as refused:
        return ImportResult(file_errors=[RowError(None, "", refused.message)])
    importer = _Importer(actor=actor, table=table)
    mapping = importer.map_columns()
    importer.read_rows(mapping)
    if importer.result.file_errors:
        return importer.result
    try:
        with transaction.atomic():
            importer.plan()
            importer.write()
            if dry_run or importer.result.errors:
                raise _Rollback
    except _Rollback:
        pass
    else:
        importer.result.written = True
    return importer.result

"""What was sold: the JSON snapshot taken when a handoff is created or resubmitted, and the diff of two.

The snapshot is plain JSON (decimals as strings, dates ISO 8601) so it reads the
same in the database, the API and the templates years later, whatever happens
to the live offer. It never contains the brief's ``confidential_notes``.
"""

from __future__ import annotations

import datetime
import decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clients.models import BuyingRole, ClientBrief, Contact
from documents.selectors import documents_sold, snapshot_entry
from handoff.models import Offer, ReviewStatus

SCHEMA_VERSION = 1

# Buying roles that make a contact one of the "key contacts" the PM must know.
KEY_BUYING_ROLES = frozenset(
    {BuyingRole.DECISION_MAKER, BuyingRole.INFLUENCER, BuyingRole.CHAMPION, BuyingRole.BLOCKER}
)

OFFER_FIELDS = ("title", "summary", "value", "probability", "expected_close", "desired_start", "desired_end")
REVIEW_FIELDS = ("verdict", "effort_days", "duration_weeks", "notes")
COMMITMENT_FIELDS = ("text", "due", "feasibility", "feasibility_note")
RISK_FIELDS = ("title", "category", "probability", "impact", "score", "mitigation", "owner")
CONTACT_FIELDS = ("name", "title", "email", "phone", "buying_role", "communication_style")
DOCUMENT_FIELDS = ("title", "file_name", "size", "sha256")
# Compared in a diff: the boss by name, not by id.
CONTACT_DIFF_FIELDS = (*CONTACT_FIELDS, "reports_to_name")

LABELS = {
    "title": _("Title"),
    "summary": _("Scope summary"),
    "value": _("Value"),
    "probability": _("Win probability (%)"),
    "expected_close": _("Expected close"),
    "desired_start": _("Desired start"),
    "desired_end": _("Desired end"),
    "verdict": _("Verdict"),
    "effort_days": _("Estimated effort (person-days)"),
    "duration_weeks": _("Estimated duration (weeks)"),
    "notes": _("Conditions and notes"),
    "milestones": _("Milestones"),
    "reviewer": _("Reviewer"),
    "text": _("Text"),
    "due": _("Due"),
    "feasibility": _("Feasibility"),
    "feasibility_note": _("Feasibility note"),
    "category": _("Category"),
    "impact": _("Impact"),
    "score": _("Score"),
    "mitigation": _("Mitigation"),
    "owner": _("Owner"),
    "background": _("Background"),
    "goals": _("Goals"),
    "expectations": _("Expectations"),
    "politics": _("Politics"),
    "dos_and_donts": _("Dos and don'ts"),
    "name": _("Name"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "buying_role": _("Buying role"),
    "communication_style": _("Communication style"),
    "reports_to_name": _("Reports to"),
    "no_risks_signed_off": _("No significant risks (signed off)"),
    "file_name": _("File name"),
    "size": _("Size (bytes)"),
    "sha256": _("SHA-256"),
}

SECTION_LABELS = {
    "offer": _("Offer"),
    "review": _("Feasibility review"),
    "brief": _("Client brief"),
    "commitments": _("Commitments"),
    "risks": _("Risks"),
    "contacts": _("Key contacts"),
    "assessment": _("Risk assessment"),
    "documents": _("Documents"),
}


def plain(value: Any) -> Any:
    """A JSON-safe value: decimals as strings, dates and times ISO 8601."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name, "email": user.email}


def build_snapshot(offer: Offer) -> dict[str, Any]:
    """Everything that was sold, read fresh from the database (a fixed number of queries)."""
    offer = Offer.objects.select_related("client", "client__account_owner", "owner", "no_risks_signed_off_by").get(
        pk=offer.pk
    )
    client = offer.client
    commitments = list(offer.commitments.order_by("due", "id"))
    risks = list(offer.risks.select_related("owner").order_by("id"))
    review = (
        offer.reviews.filter(status=ReviewStatus.COMPLETED)
        .select_related("reviewer")
        .order_by("-completed_at", "-id")
        .first()
    )
    brief = ClientBrief.objects.filter(client=client).first()
    contacts = list(Contact.objects.filter(client=client).order_by("name", "id"))
    names = {contact.pk: contact.name for contact in contacts}

    data = {
        "schema": SCHEMA_VERSION,
        "taken_at": timezone.now(),
        "currency": settings.CURRENCY,
        "offer": {
            "id": offer.pk,
            **{field: getattr(offer, field) for field in OFFER_FIELDS},
            "owner": _person(offer.owner),
        },
        "client": {
            "id": client.pk,
            "name": client.name,
            "industry": client.industry,
            "website": client.website,
            "account_owner": _person(client.account_owner),
        },
        "commitments": [
            {"id": item.pk, **{field: getattr(item, field) for field in COMMITMENT_FIELDS}} for item in commitments
        ],
        "risks": [
            {
                "id": risk.pk,
                "title": risk.title,
                "category": risk.category,
                "probability": risk.probability,
                "impact": risk.impact,
                "score": risk.score,
                "mitigation": risk.mitigation,
                "owner": risk.owner.full_name if risk.owner else "",
                "owner_id": risk.owner_id,
            }
            for risk in risks
        ],
        "no_risks_signed_off": (
            {"by": offer.no_risks_signed_off_by.full_name, "at": offer.no_risks_signed_off_at}
            if offer.no_risks_signed_off_by
            else None
        ),
        "review": (
            {
                "id": review.pk,
                "reviewer": _person(review.reviewer),
                **{field: getattr(review, field) for field in REVIEW_FIELDS},
                "milestones": [
                    {"name": str(item.get("name", "")), "due": item.get("due") or None}
                    for item in (review.milestones or [])
                    if isinstance(item, dict)
                ],
                "completed_at": review.completed_at,
            }
            if review
            else None
        ),
        # ClientBrief.PUBLIC_FIELDS deliberately leaves out confidential_notes.
        "brief": {field: getattr(brief, field) for field in ClientBrief.PUBLIC_FIELDS} if brief else None,
        "contacts": [
            {
                "id": contact.pk,
                **{field: getattr(contact, field) for field in CONTACT_FIELDS},
                "reports_to": contact.reports_to_id,
                "reports_to_name": names.get(contact.reports_to_id, ""),
                "key": contact.buying_role in KEY_BUYING_ROLES,
            }
            for contact in contacts
        ],
    }
    # The papers that were sold: name, size, SHA-256 (the bytes stay in the store, frozen). Confidential
    # ones are frozen too but, like the brief's confidential notes, kept out of the snapshot everyone reads.
    data["documents"] = [
        snapshot_entry(document) for document in documents_sold(offer=offer) if not document.confidential
    ]
    contact_ids = {contact.pk for contact in contacts}
    data["org_chart"] = [
        {"contact": contact.pk, "reports_to": contact.reports_to_id}
        for contact in contacts
        if contact.reports_to_id in contact_ids
    ]
    return plain(data)


# --- Reading a snapshot -----------------------------------------------------------
def org_tree(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The snapshot's contacts as a forest: ``[{"contact": {...}, "children": [...]}]``."""
    contacts = {item["id"]: item for item in data.get("contacts", [])}
    parent = {edge["contact"]: edge["reports_to"] for edge in data.get("org_chart", [])}
    nodes = {pk: {"contact": contact, "children": []} for pk, contact in contacts.items()}
    roots = []
    for pk, node in nodes.items():
        boss = parent.get(pk)
        if boss in nodes and boss != pk:
            nodes[boss]["children"].append(node)
        else:
            roots.append(node)
    return roots


def risk_rows(data: dict[str, Any]) -> list[SimpleNamespace]:
    """The snapshot's risks as objects (``pk``, ``probability``, ``impact``...) for the shared heatmap."""
    return [SimpleNamespace(pk=risk["id"], **risk) for risk in data.get("risks", [])]


# --- Comparing two snapshots ------------------------------------------------------------
def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                due = item.get("due")
                parts.append(f"{item.get('name', '')} ({due})" if due else str(item.get("name", "")))
            else:
                parts.append(str(item))
        return "; ".join(parts) or "—"
    return str(value)


def _change(section: str, field: str | None, old: Any, new: Any, *, item: str = "", key: Any = None, kind: str) -> dict:
    return {
        "section": section,
        "section_label": str(SECTION_LABELS.get(section, section.title())),
        "key": key,
        "item": item,
        "field": field,
        "label": str(LABELS.get(field, (field or "").replace("_", " ").capitalize())) if field else "",
        "change": kind,
        "old": _display(old) if kind != "added" else "",
        "new": _display(new) if kind != "removed" else "",
    }


def _diff_fields(section: str, old: dict | None, new: dict | None, fields: tuple[str, ...], **extra: Any) -> list[dict]:
    old, new = old or {}, new or {}
    return [
        _change(section, field, old.get(field), new.get(field), kind="changed", **extra)
        for field in fields
        if old.get(field) != new.get(field)
    ]


def _diff_items(section: str, old: list[dict], new: list[dict], fields: tuple[str, ...], label_field: str) -> list:
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
    changes: list[dict] = []
    for key, item in after.items():
        if key not in before:
            changes.append(
                _change(section, None, None, item[label_field], item=item[label_field], key=key, kind="added")
            )
        else:
            changes += _diff_fields(section, before[key], item, fields, item=item[label_field], key=key)
    for key, item in before.items():
        if key not in after:
            changes.append(
                _change(section, None, item[label_field], None, item=item[label_field], key=key, kind="removed")
            )
    return changes


def snapshot_diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-by-field changes from ``old`` to ``new``.

    Each change: ``{section, section_label, key, item, field, label, change, old, new}``
    where ``change`` is ``changed`` (one row per field), ``added`` or ``removed``
    (list items are matched by the id of their source record).
    """
    changes = _diff_fields("offer", old.get("offer"), new.get("offer"), OFFER_FIELDS)
    changes += _diff_items(
        "commitments", old.get("commitments", []), new.get("commitments", []), COMMITMENT_FIELDS, "text"
    )
    changes += _diff_items("risks", old.get("risks", []), new.get("risks", []), RISK_FIELDS, "title")
    if old.get("no_risks_signed_off") != new.get("no_risks_signed_off"):
        changes.append(
            _change(
                "assessment",
                "no_risks_signed_off",
                gettext("yes") if old.get("no_risks_signed_off") else gettext("no"),
                gettext("yes") if new.get("no_risks_signed_off") else gettext("no"),
                kind="changed",
            )
        )
    old_review, new_review = old.get("review") or {}, new.get("review") or {}
    changes += _diff_fields("review", old_review, new_review, (*REVIEW_FIELDS, "milestones"))
    if (old_review.get("reviewer") or {}).get("id") != (new_review.get("reviewer") or {}).get("id"):
        changes.append(
            _change("review", "reviewer", old_review.get("reviewer"), new_review.get("reviewer"), kind="changed")
        )
    changes += _diff_fields("brief", old.get("brief"), new.get("brief"), ClientBrief.PUBLIC_FIELDS)
    changes += _diff_items("contacts", old.get("contacts", []), new.get("contacts", []), CONTACT_DIFF_FIELDS, "name")
    changes += _diff_items("documents", old.get("documents", []), new.get("documents", []), DOCUMENT_FIELDS, "title")
    return changes

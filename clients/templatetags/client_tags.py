from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from clients.models import ClientBrief

register = template.Library()

BRIEF_LABELS = {
    "background": _("Background"),
    "goals": _("Goals"),
    "expectations": _("Expectations"),
    "politics": _("Politics"),
    "dos_and_donts": _("Dos and don'ts"),
    "confidential_notes": _("Confidential notes"),
}

# The fields the activity log names (client, contact and brief changes), as the pages label them.
FIELD_LABELS = {
    **BRIEF_LABELS,
    "name": _("Name"),
    "industry": _("Industry"),
    "website": _("Website"),
    "account_owner": _("Account owner"),
    "status": _("Status"),
    "contact": _("Contact"),
    "version": _("Version"),
    "title": _("Job title"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "reports_to": _("Reports to"),
    "buying_role": _("Buying role"),
    "communication_style": _("Communication style"),
}

VERB_LABELS = {
    "client_created": _("created the client"),
    "client_updated": _("edited the client"),
    "contact_added": _("added a contact"),
    "contact_updated": _("edited a contact"),
    "contact_removed": _("removed a contact"),
    "brief_updated": _("edited the brief"),
}


@register.filter
def brief_sections(brief: ClientBrief) -> list[tuple[str, str]]:
    """The brief's public sections as (label, text); the confidential notes are rendered apart, when allowed."""
    return [(BRIEF_LABELS[field], getattr(brief, field)) for field in ClientBrief.PUBLIC_FIELDS]


@register.filter
def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb.replace("_", " ")))


def _label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field.replace("_", " ")))


@register.filter
def field_label(field: str) -> str:
    """A changed field's label; contact changes are logged as "<contact name>: <field name>"."""
    contact, separator, name = field.rpartition(": ")
    if separator and name.replace(" ", "_") in FIELD_LABELS:
        return f"{contact}: {_label(name.replace(' ', '_'))}"
    label = _label(field)
    return label[:1].upper() + label[1:]

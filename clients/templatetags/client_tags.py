from __future__ import annotations

from django import template

from clients.models import ClientBrief

register = template.Library()

BRIEF_LABELS = {
    "background": "Background",
    "goals": "Goals",
    "expectations": "Expectations",
    "politics": "Politics",
    "dos_and_donts": "Dos and don'ts",
    "confidential_notes": "Confidential notes",
}

VERB_LABELS = {
    "client_created": "created the client",
    "client_updated": "edited the client",
    "contact_added": "added a contact",
    "contact_updated": "edited a contact",
    "contact_removed": "removed a contact",
    "brief_updated": "edited the brief",
}


@register.filter
def brief_sections(brief: ClientBrief) -> list[tuple[str, str]]:
    """The brief's public sections as (label, text); the confidential notes are rendered apart, when allowed."""
    return [(BRIEF_LABELS[field], getattr(brief, field)) for field in ClientBrief.PUBLIC_FIELDS]


@register.filter
def verb_label(verb: str) -> str:
    return VERB_LABELS.get(verb, verb.replace("_", " "))


@register.filter
def field_label(field: str) -> str:
    label = BRIEF_LABELS.get(field, field.replace("_", " "))
    return label[:1].upper() + label[1:]

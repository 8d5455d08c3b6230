"""Global search: a handful of matches per kind, case-insensitive, as the user types."""

from __future__ import annotations

from typing import Any

from clients.models import Client, Contact
from handoff.models import Offer
from projects.models import Project

PER_KIND = 6


def global_search(*, user: Any, query: str) -> dict[str, list]:
    return {
        "clients": list(Client.objects.filter(name__icontains=query).only("id", "name", "status")[:PER_KIND]),
        "contacts": list(
            Contact.objects.filter(name__icontains=query)
            .select_related("client")
            .only("id", "name", "title", "client__name")[:PER_KIND]
        ),
        "offers": list(
            Offer.objects.filter(title__icontains=query)
            .select_related("client")
            .only("id", "title", "status", "client__name")[:PER_KIND]
        ),
        "projects": list(
            Project.objects.filter(name__icontains=query)
            .select_related("client")
            .only("id", "name", "status", "client__name")[:PER_KIND]
        ),
    }

"""Sections of the client page that belong to handoff, served here and loaded by that page with ``hx-get``
(README, "Architecture": clients sits below handoff and may not import it). An htmx request gets the
section; a plain GET (the placeholder's link, without JavaScript) gets it on a page of its own. Each
answers in a fixed number of queries (pinned in tests).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from clients.selectors import OpenItem, clients_visible_to
from core.htmx import render_panel
from handoff.models import HandoffStatus, Offer, OfferStatus
from handoff.selectors import offers_visible_to


def client_offer_items(offers: list[Offer]) -> list[OpenItem]:
    """What is open among a client's offers (those of a won offer's handoff among them)."""
    waiting = (HandoffStatus.PENDING, HandoffStatus.RETURNED)
    items = [
        OpenItem(gettext("Draft offers"), sum(offer.status == OfferStatus.DRAFT for offer in offers)),
        OpenItem(gettext("Offers in feasibility review"), sum(offer.status == OfferStatus.REVIEW for offer in offers)),
        OpenItem(
            gettext("Offers sent, awaiting the client"), sum(offer.status == OfferStatus.SENT for offer in offers)
        ),
        OpenItem(
            gettext("Won offers waiting for a handoff"),
            sum(
                offer.status == OfferStatus.WON
                and getattr(offer, "handoff", None) is not None
                and offer.handoff.status in waiting
                for offer in offers
            ),
        ),
    ]
    return [item for item in items if item.count]


@require_GET
def client_offers_panel_view(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client page's offers, with what is open among them."""
    client = clients_visible_to(request.user).filter(pk=client_pk).only("id", "name").first()
    if client is None:
        raise Http404("No such client")
    offers = list(
        offers_visible_to(request.user)
        .filter(client=client)
        .select_related("owner", "handoff")
        .order_by("-created_at", "-pk")
    )
    return render_panel(
        request,
        "handoff/_client_offers.html",
        {"offers": offers, "open_items": client_offer_items(offers)},
        title=gettext("Offers"),
        back=(client.name, client.get_absolute_url()),
    )

"""Builders for the client tests: clients with an org chart, and the people entitled to confidential notes."""

from __future__ import annotations

from clients.models import BuyingRole, Client, Contact
from handoff.models import ReviewStatus
from tests.factories import ClientFactory, ContactFactory, FeasibilityReviewFactory, OfferFactory


def client_with_chart(*, owner, name: str = "Acme Industries") -> tuple[Client, dict[str, Contact]]:
    """A client owned by ``owner`` with ceo ← cio ← lead and ceo ← buyer."""
    client = ClientFactory(name=name, account_owner=owner)
    ceo = ContactFactory(client=client, name="Carla Ceo", buying_role=BuyingRole.DECISION_MAKER)
    cio = ContactFactory(client=client, name="Ivan Cio", buying_role=BuyingRole.INFLUENCER, reports_to=ceo)
    lead = ContactFactory(client=client, name="Lena Lead", buying_role=BuyingRole.USER, reports_to=cio)
    buyer = ContactFactory(client=client, name="Bert Buyer", buying_role=BuyingRole.BLOCKER, reports_to=ceo)
    return client, {"ceo": ceo, "cio": cio, "lead": lead, "buyer": buyer}


def make_reviewer(*, client: Client, pm, status: str = ReviewStatus.REQUESTED):
    """``pm`` reviews an offer of ``client``: entitled to its confidential notes (unless cancelled)."""
    offer = OfferFactory(client=client)
    return FeasibilityReviewFactory(offer=offer, reviewer=pm, status=status)

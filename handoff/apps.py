from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "handoff"
    verbose_name = "Offers and handoffs"

    def ready(self) -> None:
        from clients.registry import register_client_count, register_confidential_reader
        from documents.parents import ParentKind, register_parent
        from handoff.models import OPEN_OFFER_STATUSES, FeasibilityReview, Offer, ReviewStatus

        # The client list's count of open offers, and the reviewers of a client's offers read its
        # confidential notes (SPEC §2): clients sits below handoff (clients/registry.py).
        register_client_count("open_offer_count", lambda: Offer.objects.filter(status__in=OPEN_OFFER_STATUSES))
        register_confidential_reader(
            "offer_reviewer",
            lambda user, client_id: FeasibilityReview.objects.filter(
                offer__client_id=client_id, reviewer_id=user.pk
            ).exclude(status=ReviewStatus.CANCELLED),
        )

        register_parent(
            ParentKind(
                kind="offer",
                model="handoff.Offer",
                client_path="client_id",
                can_write="handoff.services.offers.can_attach_documents",
            )
        )

from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "handoff"
    verbose_name = "Offers and handoffs"

    def ready(self) -> None:
        from documents.parents import ParentKind, register_parent

        register_parent(
            ParentKind(
                kind="offer",
                model="handoff.Offer",
                client_path="client_id",
                can_write="handoff.services.offers.can_attach_documents",
            )
        )

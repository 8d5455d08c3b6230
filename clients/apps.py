from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from documents.parents import ConfidentialRule, ParentKind, register_confidential_rule, register_parent

        # Documents of the client (its brief): written by whoever edits briefs; confidential ones follow §2.
        register_parent(
            ParentKind(
                kind="client",
                model="clients.Client",
                client_path="pk",
                can_write="clients.services.can_write_clients_of",
            )
        )
        register_confidential_rule(
            ConfidentialRule(
                visible="clients.selectors.brief_confidential_visible_to",
                client_ids="clients.selectors.confidential_client_ids",
            )
        )

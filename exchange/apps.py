from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Import of clients and contacts, export of every list (SPEC §7.7). Sits above the domain apps."""

    name = "exchange"
    verbose_name = _("Import and export")

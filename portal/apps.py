from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that gather several apps' data: each role's home page and the global search.

    The top of the layers (README, "Architecture"): it reads every app below it through their
    selectors, and nothing below imports it.
    """

    name = "portal"
    verbose_name = "Portal"

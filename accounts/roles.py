from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups of these names (SPEC §2); a user may hold several."""

    SALES = "sales", _("Sales rep")
    PM = "pm", _("Project manager")
    MANAGER = "manager", _("Manager")

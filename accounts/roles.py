from django.db import models


class Role(models.TextChoices):
    """Roles are Django groups of these names (SPEC §2); a user may hold several."""

    SALES = "sales", "Sales rep"
    PM = "pm", "Project manager"
    MANAGER = "manager", "Manager"

"""The project page's follow-up and lessons sections: what each shows to the user looking at it."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _user(context) -> Any:
    return context.get("user") or getattr(context.get("request"), "user", None)


@register.simple_tag(takes_context=True)
def follow_up_panel(context, project) -> dict[str, Any]:
    from projects.views.followups import follow_up_panel as panel

    return panel(_user(context), project)


@register.simple_tag(takes_context=True)
def lesson_panel(context, project) -> dict[str, Any]:
    from projects.views.lessons import lesson_panel as panel

    return panel(_user(context), project)

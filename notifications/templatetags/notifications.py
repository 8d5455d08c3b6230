from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread_count(context) -> int:
    """The signed-in user's unread in-app notifications (loaded with the user: no query of its own)."""
    request = context.get("request")
    return unread_count(user=getattr(request, "user", None))

from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    return {
        "CURRENCY": settings.CURRENCY,
        "user_roles": roles,
        "is_sales": "sales" in roles,
        "is_pm": "pm" in roles,
        "is_manager": "manager" in roles,
    }

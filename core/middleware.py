from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def _admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login, except views marked ``@login_not_required``.

    The API is left to DRF, which answers 401/403 instead of redirecting and
    also accepts token authentication that this middleware cannot see.

    The admin is left to the admin: every admin view checks staff access
    itself and sends to the admin's login. (Django marks only the admin site's
    own views with their login URL, not the model admins' views, which would
    otherwise land on the portal's login form.) The anonymous-access test
    walks every admin URL and proves each one still redirects.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        admin_prefix = _admin_prefix()
        if admin_prefix and request.path_info.startswith(admin_prefix):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class VaryOnHtmxMiddleware:
    """Every answer varies on ``HX-Request``: the same URL answers htmx with a fragment and a
    browser with the page (``core.htmx.is_fragment``), so a browser or proxy cache must keep them apart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


def user_language(user) -> str:
    """The language ``user`` chose (``accounts.User.language``) if it is one the portal speaks, else ""."""
    language = getattr(user, "language", "") if user is not None else ""
    return language if language in dict(settings.LANGUAGES) else ""


class LocaleMiddleware(DjangoLocaleMiddleware):
    """The request's language: the signed-in user's own setting, else Django's choice (the language
    cookie the header switch sets before login, then ``Accept-Language``, then ``LANGUAGE_CODE``).

    Sits after the authentication middleware. API requests with a token are authenticated later, by
    DRF: ``core.api.authentication.TokenAuthentication`` activates the token user's language then."""

    def process_request(self, request):
        user = getattr(request, "user", None)
        language = user_language(user) if user is not None and user.is_authenticated else ""
        if not language:
            return super().process_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.urls import NoReverseMatch, reverse
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

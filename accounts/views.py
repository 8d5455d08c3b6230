from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import LanguageForm
from accounts.models import Language


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """The language cookie: Django's LocaleMiddleware reads it before Accept-Language (signed out too)."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The header's switch: the signed-in user's own language, and the cookie for a signed-out browser."""
    language = request.POST.get("language", "")
    if language not in Language.values:
        language = ""
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    return _remember_language(HttpResponseRedirect(target), language)


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own settings: their language (and a link to the e-mail preferences)."""
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["language"]
            services.user_set_language(user=request.user, language=language)
            # The message is in the language just chosen.
            with translation.override(language or translation.get_language_from_request(request)):
                messages.success(request, _("Your settings are saved."))
            return _remember_language(redirect(reverse("profile")), language)
    else:
        form = LanguageForm(initial={"language": request.user.language})
    return render(request, "registration/profile.html", {"form": form})

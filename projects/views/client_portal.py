"""The client's page (SPEC §7.5): one page at ``/c/``, reached through a client link, no login.

The first request carries the token in its URL (``/c/<token>/``): it is exchanged at once for
an HttpOnly, SameSite=Strict cookie scoped to ``/c/``, and the browser moves on to ``/c/``, so
the token leaves the address bar, the history and every later log line and referrer. The
move is a same-origin meta refresh, not a 302: after a click in a webmail (a cross-site
navigation) a redirect would still count as cross-site and the Strict cookie would not be sent.

The entry and the refusal pages send ``Referrer-Policy: no-referrer``; the page at ``/c/``
sends ``same-origin`` (its URL holds no secret), because a POST under ``no-referrer`` has an
``Origin: null`` that the CSRF check rightly refuses.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from core import proxy, ratelimit
from core.errors import DomainError
from core.forms import add_service_errors
from projects.forms import ClientDecisionForm, ClientIssueForm, ClientPulseForm
from projects.models import ClientLink, Deliverable, DeliverableStatus
from projects.services import client_links as services

COOKIE = "client_link"
COOKIE_PATH = "/c/"
DONE_MESSAGES = {
    "accepted": "accepted",
    "rejected": "rejected",
    "pulse": "pulse",
    "issue": "issue",
}


# --- Limits ---------------------------------------------------------------------------------------
def client_ip(request: HttpRequest) -> str:
    """The guessing client's address, behind TRUSTED_PROXY_COUNT proxies (not the proxy's, shared by all)."""
    return proxy.client_ip(request) or "unknown"


def guess_key(ip: str) -> str:
    return f"client-link-guess:{ip}"


def action_key(link: ClientLink) -> str:
    return f"client-link-action:{link.pk}"


def guesses_blocked(ip: str) -> int | None:
    return ratelimit.blocked_for(
        guess_key(ip), limit=settings.CLIENT_LINK_GUESSES_PER_IP, window=settings.CLIENT_LINK_GUESS_WINDOW
    )


def record_guess(ip: str) -> int | None:
    return ratelimit.hit(
        guess_key(ip), limit=settings.CLIENT_LINK_GUESSES_PER_IP, window=settings.CLIENT_LINK_GUESS_WINDOW
    )


def record_action(link: ClientLink) -> int | None:
    return ratelimit.hit(
        action_key(link), limit=settings.CLIENT_LINK_ACTIONS_PER_LINK, window=settings.CLIENT_LINK_ACTION_WINDOW
    )


# --- Answers --------------------------------------------------------------------------------------
def _quiet(response: HttpResponse, *, policy: str = "no-referrer") -> HttpResponse:
    response["Referrer-Policy"] = policy
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Django's request logger would write the path (perhaps with a token) of every 4xx answer.
    response._has_been_logged = True
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    """One page for unknown, malformed, expired and revoked links: it tells a guesser nothing."""
    response = _quiet(render(request, "client_portal/invalid.html", status=404))
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Strict")
    return response


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = _quiet(render(request, "client_portal/throttled.html", {"retry_after": retry_after}, status=429))
    response["Retry-After"] = str(retry_after)
    return response


def _resolve(request: HttpRequest, token: str | None) -> ClientLink | HttpResponse:
    """The active link of ``token``, or the answer to send (refused, or throttled after too many guesses)."""
    if token is None:
        return invalid_link(request)
    ip = client_ip(request)
    wait = guesses_blocked(ip)
    if wait:
        return too_many(request, wait)
    try:
        link = services.client_link_resolve(token)
    except services.InvalidClientLink:
        wait = record_guess(ip)
        return too_many(request, wait) if wait else invalid_link(request)
    if link.language:  # the client reads their pages in the invite's language (SPEC §7.6)
        translation.activate(link.language)
        request.LANGUAGE_CODE = link.language
    return link


def _link_from_cookie(request: HttpRequest) -> ClientLink | HttpResponse:
    return _resolve(request, request.COOKIES.get(COOKIE))


# --- Pages ----------------------------------------------------------------------------------------
@login_not_required
@require_GET
def client_link_enter_view(request: HttpRequest, token: str) -> HttpResponse:
    """Swap the token in the URL for a cookie and move on to ``/c/``."""
    link = _resolve(request, token)
    if isinstance(link, HttpResponse):
        return link
    response = _quiet(render(request, "client_portal/enter.html", {"next_url": reverse("client_portal:home")}))
    response.set_cookie(
        COOKIE,
        token,
        expires=link.expires_at,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _page(
    request: HttpRequest,
    link: ClientLink,
    *,
    status: int = 200,
    decision_forms: dict[int, ClientDecisionForm] | None = None,
    pulse_form: ClientPulseForm | None = None,
    issue_form: ClientIssueForm | None = None,
    error: str = "",
) -> HttpResponse:
    data = services.client_portal_data(link)
    decision_forms = decision_forms or {}
    for deliverable in data["deliverables"]:
        if deliverable.status == DeliverableStatus.SUBMITTED:
            deliverable.form = decision_forms.get(deliverable.pk) or ClientDecisionForm(prefix=f"d{deliverable.pk}")
    context: dict[str, Any] = {
        **data,
        "pulse_form": pulse_form or ClientPulseForm(prefix="pulse"),
        "issue_form": issue_form or ClientIssueForm(prefix="issue"),
        "error": error,
        "done": DONE_MESSAGES.get(request.GET.get("done", "")),
    }
    return _quiet(render(request, "client_portal/page.html", context, status=status), policy="same-origin")


@login_not_required
@require_GET
def client_portal_home_view(request: HttpRequest) -> HttpResponse:
    link = _link_from_cookie(request)
    if isinstance(link, HttpResponse):
        return link
    services.client_link_touch(link)
    return _page(request, link)


def _act(request: HttpRequest) -> ClientLink | HttpResponse:
    link = _link_from_cookie(request)
    if isinstance(link, HttpResponse):
        return link
    wait = record_action(link)
    if wait:
        return too_many(request, wait)
    services.client_link_touch(link)
    return link


def _done(kind: str) -> HttpResponse:
    return redirect(reverse("client_portal:home") + f"?done={kind}")


def _submit(request: HttpRequest, link: ClientLink, form, *, action, done, page_form: dict) -> HttpResponse:
    """Run one of the client's actions: the service's answer becomes the form's errors (400), a refusal (409),
    or the redirect to the page with its confirmation (``done``: the kind, or a function of the result)."""
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except Deliverable.DoesNotExist:
            return _quiet(render(request, "client_portal/not_found.html", status=404), policy="same-origin")
        except services.InvalidClientLink:
            return invalid_link(request)
        except ValidationError as error:
            add_service_errors(form, error)
        except (DomainError, PermissionDenied) as error:
            return _page(request, link, status=409, error=str(getattr(error, "message", error)))
        else:
            return _done(done(result) if callable(done) else done)
    return _page(request, link, status=400, **page_form)


@login_not_required
@require_POST
def client_deliverable_decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    link = _act(request)
    if isinstance(link, HttpResponse):
        return link
    form = ClientDecisionForm(request.POST, prefix=f"d{pk}")
    return _submit(
        request,
        link,
        form,
        action=lambda data: services.client_deliverable_decide(
            link=link, deliverable=pk, decision=data["decision"], reason=data["reason"]
        ),
        done=lambda deliverable: deliverable.status,
        page_form={"decision_forms": {pk: form}},
    )


@login_not_required
@require_POST
def client_pulse_view(request: HttpRequest) -> HttpResponse:
    link = _act(request)
    if isinstance(link, HttpResponse):
        return link
    form = ClientPulseForm(request.POST, prefix="pulse")
    return _submit(
        request,
        link,
        form,
        action=lambda data: services.client_pulse_answer(link=link, **data),
        done="pulse",
        page_form={"pulse_form": form},
    )


@login_not_required
@require_POST
def client_issue_view(request: HttpRequest) -> HttpResponse:
    link = _act(request)
    if isinstance(link, HttpResponse):
        return link
    form = ClientIssueForm(request.POST, prefix="issue")
    return _submit(
        request,
        link,
        form,
        action=lambda data: services.client_issue_report(link=link, **data),
        done="issue",
        page_form={"issue_form": form},
    )


@login_not_required
@require_POST
def client_portal_leave_view(request: HttpRequest) -> HttpResponse:
    """Forget the link on this device (the link itself keeps working)."""
    response = _quiet(render(request, "client_portal/left.html"))
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Strict")
    return response

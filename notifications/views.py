"""The inbox: one view per page, each serving its htmx fragment too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from notifications import selectors, services
from notifications.forms import EmailPreferencesForm

PAGE_SIZE = 25
INBOX_CHANGED = "inboxChanged"


def _inbox_context(request: HttpRequest) -> dict:
    unread_only = request.GET.get("unread") in {"1", "true"}
    paginator = Paginator(selectors.inbox_for(user=request.user, unread_only=unread_only), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page, "notifications": page.object_list, "unread_only": unread_only}


@require_GET
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    context = _inbox_context(request)
    if request.htmx and not request.htmx.boosted:
        return render(request, "notifications/_inbox_list.html", context)
    return render(request, "notifications/inbox.html", context)


@login_not_required
@never_cache
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The header badge, polled by htmx. Signed out: 286 tells htmx to stop polling."""
    if not request.user.is_authenticated:
        return HttpResponse("", status=286)
    # Polled by every open tab: no context processors, just the count.
    context = {"request": request, "inbox_unread": selectors.unread_count(user=request.user)}
    return HttpResponse(render_to_string("_inbox_badge.html", context))


@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its object, marking it read on the way."""
    notification = get_object_or_404(selectors.inbox_for(user=request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    target = notification.url or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.inbox_for(user=request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        response = render(request, "notifications/_notification.html", {"notification": notification})
        response["HX-Trigger"] = INBOX_CHANGED
        return response
    messages.success(request, _("Marked as read."))
    return redirect("notifications:inbox")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=request.user)
    if request.htmx:
        response = render(request, "notifications/_inbox_list.html", _inbox_context(request))
        response["HX-Trigger"] = INBOX_CHANGED
        return response
    messages.success(
        request,
        ngettext("Marked %(count)d notification as read.", "Marked %(count)d notifications as read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.email_preferences_for(user=request.user)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            services.notification_preferences_set(user=request.user, email_enabled=form.email_enabled())
            messages.success(request, _("Your e-mail preferences are saved."))
            return redirect("notifications:preferences")
    else:
        form = EmailPreferencesForm(initial={"email": [event.value for event, enabled in current if enabled]})
    return render(request, "notifications/preferences.html", {"form": form, "preferences": current})

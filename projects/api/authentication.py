"""The client portal's door in the API: ``Authorization: ClientLink <token>``, its OpenAPI scheme and throttle."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request

from projects.actors import ClientActor
from projects.models import ClientLink
from projects.services import client_links as services
from projects.views.client_portal import client_ip, guesses_blocked, record_action, record_guess

KEYWORD = "ClientLink"


# --- The client's door --------------------------------------------------------------------------------
class ClientLinkAuthentication(authentication.BaseAuthentication):
    """``Authorization: ClientLink <token>``: the request acts as the link's contact (a ``ClientActor``).

    Unknown tokens count against the caller's IP address; past the limit every attempt gets 429.
    """

    def authenticate(self, request: Request) -> tuple[ClientActor, ClientLink] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        ip = client_ip(request._request)
        wait = guesses_blocked(ip)
        if wait:
            raise exceptions.Throttled(wait)
        token = header[1].decode("latin-1") if len(header) == 2 else None
        try:
            link = services.client_link_resolve(token)
        except services.InvalidClientLink:
            wait = record_guess(ip)
            if wait:
                raise exceptions.Throttled(wait) from None
            raise exceptions.AuthenticationFailed(gettext("This link is no longer valid.")) from None
        return ClientActor(link), link

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class ClientLinkScheme(OpenApiAuthenticationExtension):
    target_class = ClientLinkAuthentication
    name = "ClientLink"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`ClientLink <token>`: the token of a client link (SPEC §7.5), given once at its creation.",
        }


class IsClientLink(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ClientActor)


class ClientLinkActionThrottle(throttling.BaseThrottle):
    """Every valid link has a budget of actions per window (settings.CLIENT_LINK_ACTIONS_PER_LINK)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        self.retry_after = None
        if request.method in permissions.SAFE_METHODS or not isinstance(request.user, ClientActor):
            return True
        self.retry_after = record_action(request.user.link)
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after or settings.CLIENT_LINK_ACTION_WINDOW

"""The interactive API docs (/api/docs/): a page for people, so a visitor who is not signed in logs in first."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions


class ApiDocsView(SpectacularSwaggerSplitView):
    """drf-spectacular's Swagger UI; anonymous visitors go to the login page and come back (not a bare 401).

    The schema itself (/api/schema/) is for API clients and keeps answering 401.
    """

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)

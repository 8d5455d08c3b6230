"""Token authentication that also speaks the token user's language (SPEC §7.6).

A token is authenticated by DRF inside the view, after ``core.middleware.LocaleMiddleware`` chose
the request's language from the session user or ``Accept-Language``; the user's own setting wins here
too, so error texts of the API are in their language. Machine formats stay as they are (§4).
"""

from __future__ import annotations

from django.utils import translation
from rest_framework import authentication

from core.middleware import user_language


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            language = user_language(result[0])
            if language:
                translation.activate(language)
                request._request.LANGUAGE_CODE = language
        return result

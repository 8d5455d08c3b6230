"""Error reports (the DEBUG error page, mailed reports) hide credentials written into URL settings.

Django masks settings whose *name* looks secret (SECRET_KEY, DATABASES' PASSWORD);
DATABASE_URL, REDIS_URL and CELERY_BROKER_URL carry the password inside the value.
"""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter

_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:@/\s]*):[^@/\s]+@", re.IGNORECASE)


def mask_url_passwords(text: str, substitute: str = "********************") -> str:
    """postgres://user:secret@db/x → postgres://user:********************@db/x"""
    return _URL_PASSWORD.sub(lambda match: f"{match['head']}:{substitute}@", text)


class PortalExceptionReporterFilter(SafeExceptionReporterFilter):
    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if type(value) is str:  # not lazy strings, which re.sub refuses
            value = mask_url_passwords(value, self.cleansed_substitute)
        return value

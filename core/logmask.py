"""Client-link tokens never reach a log (SPEC §7.5): the one request that carries a token in its URL,
``/c/<token>/``, is logged as ``/c/[token]/``, and an ``Authorization: ClientLink <token>`` header
as ``ClientLink [token]``.

Used by the logging configuration (``MaskClientLinkTokens`` on every handler: Django's request
and development-server loggers) and by gunicorn's access log (``config/gunicorn.conf.py``).
"""

from __future__ import annotations

import logging
import re

# /c/<anything but the client page's own paths>: a token, a guess or a truncated one.
_PATH_TOKEN = re.compile(r"(/c/)(?!(?:deliverables|pulse|issues|leave)(?:[/?#\s\"']|$))[^/?#\s\"']+")
_HEADER_TOKEN = re.compile(r"(ClientLink\s+)\S+", re.IGNORECASE)
MASK = "[token]"


def mask_client_tokens(text: str) -> str:
    if "/c/" not in text and "clientlink" not in text.lower():
        return text
    return _HEADER_TOKEN.sub(rf"\g<1>{MASK}", _PATH_TOKEN.sub(rf"\g<1>{MASK}", text))


class MaskClientLinkTokens(logging.Filter):
    """Rewrites a record's message (with its arguments) when it holds a client-link token."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's business, not ours
            return True
        masked = mask_client_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
            request = getattr(record, "request", None)
            if request is not None:
                # django.server's formatter reads the request line from here.
                record.request = mask_client_tokens(str(request)) if isinstance(request, str) else request
        return True

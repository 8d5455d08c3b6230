"""gunicorn settings shared by the Dockerfile and docker-compose.yml (``gunicorn -c config/gunicorn.conf.py``)."""

import sys
from pathlib import Path

from gunicorn.glogging import Logger

# gunicorn reads this file before it puts the project on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.logmask import mask_client_tokens

bind = "0.0.0.0:8000"
workers = 3
timeout = 30
accesslog = "-"


class MaskingLogger(Logger):
    """The access log never holds a client-link token (SPEC §7.5): not in the path, the referer or a header."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_client_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = MaskingLogger

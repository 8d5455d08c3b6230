"""Client-link tokens never reach a log (SPEC §7.5): gunicorn's access log and Django's loggers mask them."""

from __future__ import annotations

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client as BrowserClient
from gunicorn.config import Config

from core.logmask import MaskClientLinkTokens, mask_client_tokens
from projects.services import client_links as services
from tests.factories import ContactFactory
from tests.projects.factories import accepted_project

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"
TOKEN = "Ab3_" + "x" * 39


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /c/{TOKEN}/ HTTP/1.1", "GET /c/[token]/ HTTP/1.1"),
        ("GET /c/short/ HTTP/1.1", "GET /c/[token]/ HTTP/1.1"),
        (f"https://portal.example/c/{TOKEN}/", "https://portal.example/c/[token]/"),
        (f"Authorization: ClientLink {TOKEN}", "Authorization: ClientLink [token]"),
        ("GET /c/ HTTP/1.1", "GET /c/ HTTP/1.1"),
        ("POST /c/deliverables/5/decision/ HTTP/1.1", "POST /c/deliverables/5/decision/ HTTP/1.1"),
        ("POST /c/pulse/ HTTP/1.1", "POST /c/pulse/ HTTP/1.1"),
        ("GET /clients/12/ HTTP/1.1", "GET /clients/12/ HTTP/1.1"),
    ],
)
def test_it_masks_tokens_and_leaves_the_rest(line, expected):
    assert mask_client_tokens(line) == expected


def _access_line(tmp_path: Path, path: str, referer: str = "-") -> str:
    settings = runpy.run_path(str(CONF))
    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s')
    logger = settings["logger_class"](cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=5))
    for handler in logger.access_log.handlers:
        handler.flush()
    return log_file.read_text()


def test_gunicorns_access_log_masks_the_first_request(tmp_path):
    line = _access_line(tmp_path, f"/c/{TOKEN}/", referer=f"https://mail.example/?u=/c/{TOKEN}/")
    assert TOKEN not in line
    assert '"GET /c/[token]/ HTTP/1.1" 200' in line


def test_gunicorns_access_log_keeps_ordinary_paths(tmp_path):
    assert '"GET /projects/3/ HTTP/1.1" 200' in _access_line(tmp_path, "/projects/3/")


@pytest.mark.django_db
def test_the_token_is_in_no_django_log_line(rep, pm, caplog):
    project = accepted_project(owner=rep, pm=pm)
    _, token = services.client_link_issue(actor=pm, project=project, contact=ContactFactory(client=project.client))
    masking = MaskClientLinkTokens()
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            masking.filter(record)
            records.append(record)

    keep = Keep(level=logging.DEBUG)
    root, server = logging.getLogger(), logging.getLogger("django.server")
    root.addHandler(keep)
    server.addHandler(keep)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        client = BrowserClient()
        client.get(f"/c/{token}/")
        client.get("/c/")
        client.get(f"/c/{token[:-3]}/")  # a truncated token: refused, and not logged either
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /c/{token}/ HTTP/1.1", "200", "10")
    finally:
        root.removeHandler(keep)
        server.removeHandler(keep)
        root.setLevel(old_level)
    lines = [record.getMessage() for record in records]
    assert any("/c/[token]/" in line for line in lines)
    assert not any(token in line or token[:-3] in line for line in lines)


def test_every_configured_handler_masks():
    for logger in (logging.getLogger(), logging.getLogger("django.server"), logging.getLogger("django.request")):
        handlers = logger.handlers or logging.getLogger().handlers
        for handler in handlers:
            if handler.__class__.__module__.startswith("_pytest"):
                continue
            assert any(isinstance(item, MaskClientLinkTokens) for item in handler.filters), (logger.name, handler)

"""What a file really is (SPEC §7.4): its type by content, its cleaned name, its size and SHA-256.

The type is sniffed from the bytes with ``filetype`` (pure Python, no libmagic
system library to install in every container, and it knows the Office and
OpenDocument containers by their inner parts). What it does not recognise is
accepted only as plain text or CSV: valid UTF-8, no NUL byte, and not markup or
a script in disguise. The extension of the original name must agree with the
content. Everything is read in chunks; nothing is held whole in memory.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME_MAX = 255
TITLE_MAX = 200
SNIFF_BYTES = 8192
CHUNK = 64 * 1024

# Detected kind → (content type, extensions the original name may carry).
OLE_EXTENSIONS = (".doc", ".xls", ".ppt")
ACCEPTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpg": ("image/jpeg", (".jpg", ".jpeg")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    "odp": ("application/vnd.oasis.opendocument.presentation", (".odp",)),
    # The legacy binary Office formats share one container; the sniffer cannot always tell them apart.
    "doc": ("application/msword", OLE_EXTENSIONS),
    "xls": ("application/vnd.ms-excel", OLE_EXTENSIONS),
    "ppt": ("application/vnd.ms-powerpoint", OLE_EXTENSIONS),
}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv"}
# A text file starting like one of these is markup or a script, not a document.
ACTIVE_TEXT_MARKERS = ("<!doctype", "<html", "<svg", "<?xml", "<script", "<head", "<body", "#!")
ACCEPTED_LABEL = "PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument, plain text, CSV"


@dataclass(frozen=True)
class Inspected:
    file_name: str
    content_type: str
    size: int
    sha256: str


def _invalid(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def clean_file_name(raw: str | None) -> str:
    """The last path segment, without control characters, at most 255 characters (the extension kept)."""
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = name.strip().strip(".").strip()
    if len(name) > NAME_MAX:
        stem, extension = os.path.splitext(name)
        extension = extension[:16]
        name = stem[: NAME_MAX - len(extension)].rstrip() + extension
    return name


def clean_title(raw: str | None, *, file_name: str) -> str:
    title = "".join(char for char in str(raw or "") if not unicodedata.category(char).startswith("C")).strip()
    if not title:
        title = os.path.splitext(file_name)[0] or file_name
    return title[:TITLE_MAX].strip()


def _chunks(stream: IO[bytes]):
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        yield chunk


def _check_text(stream: IO[bytes]) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = ""
    try:
        for chunk in _chunks(stream):
            if b"\x00" in chunk:
                raise _invalid(_("This file is binary content of a type the portal does not accept."))
            text = decoder.decode(chunk)
            if len(head) < 1024:
                head += text[:1024]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _invalid(_("A text or CSV file must be UTF-8 encoded text.")) from None
    start = head.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(ACTIVE_TEXT_MARKERS) or "<script" in head.lower():
        raise _invalid(_("HTML, SVG, XML and scripts are not accepted as documents."))


def inspect_upload(stream: IO[bytes], *, name: str | None, sha256: str | None = None) -> Inspected:
    """Check ``stream`` (seekable, read in chunks) and describe it, or raise ``ValidationError`` on ``file``."""
    file_name = clean_file_name(name)
    size = 0
    digest = hashlib.sha256()
    for chunk in _chunks(stream):
        size += len(chunk)
        if sha256 is None:
            digest.update(chunk)
        if size > settings.DOCUMENT_MAX_MB * 1024 * 1024:
            raise _invalid(
                _("The file is larger than the limit of %(limit)s MB.") % {"limit": settings.DOCUMENT_MAX_MB}
            )
    if size == 0:
        raise _invalid(_("The file is empty."))
    if not file_name:
        raise _invalid(_("The file has no usable name."))
    extension = os.path.splitext(file_name)[1].lower()
    if not extension:
        raise _invalid(_("The file name has no extension; accepted: %(types)s.") % {"types": ACCEPTED_LABEL})

    stream.seek(0)
    kind = filetype.guess(stream.read(SNIFF_BYTES))
    if kind is None:
        if extension not in TEXT_TYPES:
            raise _invalid(
                _("The content of this file does not match its extension %(extension)s.") % {"extension": extension}
            )
        _check_text(stream)
        content_type = TEXT_TYPES[extension]
    elif kind.extension in ACCEPTED:
        content_type, extensions = ACCEPTED[kind.extension]
        if extension not in extensions:
            raise _invalid(
                _("This file is a %(kind)s but is named %(extension)s: the content must match the extension.")
                % {"kind": kind.extension.upper(), "extension": extension}
            )
    else:
        raise _invalid(
            _("Files of type %(kind)s are not accepted; accepted: %(types)s.")
            % {"kind": kind.extension.upper(), "types": ACCEPTED_LABEL}
        )
    stream.seek(0)
    return Inspected(file_name=file_name, content_type=content_type, size=size, sha256=sha256 or digest.hexdigest())

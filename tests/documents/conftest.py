from __future__ import annotations

import io
import zipfile

import pytest

from documents.pdf import simple_pdf


@pytest.fixture(autouse=True)
def document_store(settings, tmp_path):
    """Each test stores its documents in its own folder (the storages handler is reset on the change)."""
    root = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture
def pdf_bytes() -> bytes:
    return simple_pdf("Proposal", ["Scope: ERP roll-out", "Price: 120 000 EUR"])


# A fixed time in the archives: the bytes are test ids (parametrize), and every xdist worker must
# build the same ones, whichever second it collects in.
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def _entry(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=FIXED_TIME)


def docx_bytes() -> bytes:
    """A minimal Office Open XML word-processing container (what the sniffer keys on)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            _entry("[Content_Types].xml"),
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(_entry("word/document.xml"), "<w:document/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_entry("notes.txt"), "hello")
    return buffer.getvalue()


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200

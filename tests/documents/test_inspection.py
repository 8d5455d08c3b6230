"""The type comes from the content, the name is cleaned, the size is limited (SPEC §7.4)."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError

from documents.inspection import clean_file_name, inspect_upload
from tests.documents.conftest import EXE_BYTES, PNG_BYTES, docx_bytes, zip_bytes


def inspect(content: bytes, name: str):
    return inspect_upload(io.BytesIO(content), name=name)


def refusal(content: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as error:
        inspect(content, name)
    return " ".join(error.value.message_dict["file"])


def test_it_reads_a_pdf_by_its_content(pdf_bytes):
    inspected = inspect(pdf_bytes, "Proposal.pdf")
    assert inspected.content_type == "application/pdf"
    assert inspected.size == len(pdf_bytes)
    assert inspected.sha256 == hashlib.sha256(pdf_bytes).hexdigest()


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PNG_BYTES, "org chart.PNG", "image/png"),
        (docx_bytes(), "SOW.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"Name;Role\nDana;CEO\n", "contacts.csv", "text/csv"),
        ("Grüße aus Köln".encode(), "notes.txt", "text/plain"),
    ],
)
def test_it_accepts_the_listed_types(content, name, content_type):
    assert inspect(content, name).content_type == content_type


def test_it_refuses_an_empty_file():
    assert "empty" in refusal(b"", "empty.pdf")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "page.html"),
        (b"<!DOCTYPE html><html></html>", "page.txt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "logo.txt"),
        (b"#!/bin/sh\nrm -rf /\n", "run.txt"),
        (b"alert(document.cookie)", "app.js"),
        (EXE_BYTES, "setup.exe"),
        (zip_bytes(), "bundle.zip"),
    ],
)
def test_it_refuses_markup_scripts_executables_and_archives(content, name):
    refusal(content, name)


def test_it_refuses_a_pdf_renamed_docx(pdf_bytes):
    assert "must match the extension" in refusal(pdf_bytes, "contract.docx")


def test_it_refuses_an_exe_renamed_pdf():
    assert "EXE" in refusal(EXE_BYTES, "contract.pdf")


def test_it_refuses_binary_content_named_text():
    refusal(b"\x00\x01\x02binary", "data.csv")


def test_it_refuses_text_that_is_not_utf8():
    refusal("Grüße".encode("utf-16"), "notes.txt")


def test_it_refuses_a_file_over_the_limit(settings):
    settings.DOCUMENT_MAX_MB = 1
    assert "limit of 1 MB" in refusal(b"a" * (1024 * 1024 + 1), "big.txt")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\rita\\Angebot.pdf", "Angebot.pdf"),
        ("evil\x00name.pdf", "evilname.pdf"),
        ("line\nbreak\r.pdf", "linebreak.pdf"),
        ("Übergabe - Protokoll.pdf", "Übergabe - Protokoll.pdf"),
    ],
)
def test_it_cleans_names_of_paths_and_control_characters(raw, clean):
    assert clean_file_name(raw) == clean


def test_it_shortens_a_long_name_keeping_the_extension():
    name = clean_file_name("a" * 300 + ".pdf")
    assert len(name) == 255
    assert name.endswith(".pdf")

"""Documents in a real browser: the file picker, the progress bar, a refusal in place, a delete (SPEC §7.4)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from documents.models import Document
from tests.browser import login, screenshot
from tests.projects.factories import sent_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rep_uploads_with_a_progress_bar_and_sees_a_refusal_in_place(page, live_server, rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, rep)
    page.goto(f"{live_server.url}/offers/{offer.pk}/")
    section = page.locator("section.documents")
    expect(section.get_by_role("heading", name="Documents")).to_be_visible()

    # Three megabytes of CSV: large enough for htmx to report the upload's progress.
    rows = b"".join(b"%d;Plant %d;ok\n" % (n, n % 3) for n in range(220_000))
    section.locator("input[type=file]").set_input_files(
        files=[{"name": "inventory.csv", "mimeType": "text/csv", "buffer": rows}]
    )
    section.get_by_role("button", name="Upload").click()
    expect(page.locator("section.documents table")).to_contain_text("inventory")
    document = Document.objects.get()
    assert (document.content_type, document.size) == ("text/csv", len(rows))
    screenshot(page, "documents-uploaded")

    # An executable renamed .pdf: refused with the reason, next to the form, nothing saved.
    section = page.locator("section.documents")
    section.locator("input[type=file]").set_input_files(
        files=[{"name": "contract.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 64}]
    )
    section.get_by_role("button", name="Upload").click()
    expect(page.locator("section.documents .field-error")).to_contain_text("not accepted")
    assert Document.objects.count() == 1

    page.locator("section.documents").get_by_role("button", name="Delete").click()
    expect(page.locator("section.documents")).to_contain_text("No documents on this offer yet.")
    assert not Document.objects.exists()


def test_the_progress_bar_follows_the_upload(page, live_server, rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)
    login(page, live_server, rep)
    page.goto(f"{live_server.url}/offers/{offer.pk}/")
    section = page.locator("section.documents")
    expect(section.locator("input[type=file]")).to_be_attached()
    page.evaluate(
        """() => { window.progressSeen = [];
            document.addEventListener("htmx:xhr:progress", e => window.progressSeen.push(
                document.querySelector("form.document-upload .upload-progress").value)); }"""
    )
    rows = b"x;y\n" * 1_000_000
    section.locator("input[type=file]").set_input_files(
        files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": rows}]
    )
    section.get_by_role("button", name="Upload").click()
    expect(page.locator("section.documents table")).to_contain_text("big")
    assert page.evaluate("window.progressSeen.length") > 0

"""Documents on the pages: the section, upload, delete, download, and what was sold (SPEC §7.4)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document
from handoff.services.handoffs import offer_win
from tests.projects.factories import accepted_project, sent_offer

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def offer(rep, pm):
    return sent_offer(owner=rep, reviewer=pm)


def section_url(kind: str, pk: int) -> str:
    return reverse("documents:section", args=[kind, pk])


def upload(browser, kind, pk, content: bytes, name: str = "Proposal.pdf", **fields):
    return browser.post(section_url(kind, pk), {"file": SimpleUploadedFile(name, content), **fields}, **HTMX)


def test_the_parent_pages_load_their_documents_section(client_as, rep, pm, pdf_bytes):
    project = accepted_project(owner=rep, pm=pm)
    browser = client_as(pm)
    for url, kind, pk in [
        (reverse("clients:detail", args=[project.client_id]), "client", project.client_id),
        (reverse("handoff:offer_detail", args=[project.offer_id]), "offer", project.offer_id),
        (reverse("projects:detail", args=[project.pk]), "project", project.pk),
    ]:
        assert section_url(kind, pk) in browser.get(url).content.decode()


def test_the_owner_uploads_through_the_page_and_sees_the_row(client_as, rep, offer, pdf_bytes):
    response = upload(client_as(rep), "offer", offer.pk, pdf_bytes, title="Our proposal")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Our proposal" in page and "Proposal.pdf" in page and "PDF" in page and "Rita Rep" in page
    assert Document.objects.get().offer == offer


def test_a_plain_post_redirects_back_to_the_parent(client_as, rep, offer, pdf_bytes):
    response = client_as(rep).post(section_url("offer", offer.pk), {"file": SimpleUploadedFile("a.pdf", pdf_bytes)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("handoff:offer_detail", args=[offer.pk]))


def test_a_bad_file_shows_the_reason_and_saves_nothing(client_as, rep, offer, pdf_bytes):
    response = upload(client_as(rep), "offer", offer.pk, pdf_bytes, "contract.docx")
    assert response.status_code == 200  # the section again, the reason next to the field
    assert "must match the extension" in response.content.decode()
    assert not Document.objects.exists()


def test_a_user_who_may_not_write_gets_no_form_and_a_403(client_as, other_rep, offer, pdf_bytes):
    browser = client_as(other_rep)
    assert 'name="file"' not in browser.get(section_url("offer", offer.pk), **HTMX).content.decode()
    assert upload(browser, "offer", offer.pk, pdf_bytes).status_code == 403
    assert not Document.objects.exists()


def test_an_unknown_parent_is_a_404(client_as, rep):
    browser = client_as(rep)
    assert browser.get(section_url("offer", 999999), **HTMX).status_code == 404
    assert browser.get("/documents/invoice/1/", **HTMX).status_code == 404


def test_the_section_without_htmx_is_a_page_of_its_own(client_as, rep, offer):
    response = client_as(rep).get(section_url("offer", offer.pk))
    assert response.status_code == 200
    assert "<html" in response.content.decode()


def test_the_uploader_deletes_from_the_page_until_it_is_frozen(client_as, rep, offer, pdf_bytes):
    browser = client_as(rep)
    upload(browser, "offer", offer.pk, pdf_bytes)
    upload(browser, "offer", offer.pk, pdf_bytes, "Other.pdf")
    first, second = Document.objects.order_by("pk")
    response = browser.post(reverse("documents:delete", args=[second.pk]), **HTMX)
    assert response.status_code == 200
    offer_win(offer=offer, actor=rep)
    response = browser.post(reverse("documents:delete", args=[first.pk]), **HTMX)
    assert response.status_code == 409
    assert Document.objects.filter(pk=first.pk).exists()
    assert "Frozen" in browser.get(section_url("offer", offer.pk), **HTMX).content.decode()


def test_the_page_download_checks_the_confidential_rule(client_as, rep, other_rep, pm, offer, pdf_bytes):
    upload(client_as(rep), "offer", offer.pk, pdf_bytes, confidential="on")
    document = Document.objects.get()
    assert document.confidential
    url = reverse("documents:download", args=[document.pk])
    assert client_as(other_rep).get(url).status_code == 404
    response = client_as(pm).get(url)  # the reviewing PM sees the confidential notes
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256
    assert response["Content-Disposition"] == 'attachment; filename="Proposal.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_handoff_page_lists_the_documents_sold(client_as, rep, pm, offer, pdf_bytes):
    upload(client_as(rep), "offer", offer.pk, pdf_bytes, title="Signed proposal")
    handoff = offer_win(offer=offer, actor=rep)
    page = client_as(pm).get(reverse("handoff:handoff_detail", args=[handoff.pk])).content.decode()
    document = Document.objects.get()
    assert "Signed proposal" in page
    assert reverse("documents:download", args=[document.pk]) in page


def test_the_section_query_count_does_not_grow(client_as, rep, offer, pdf_bytes, django_assert_num_queries):
    browser = client_as(rep)
    upload(browser, "offer", offer.pk, pdf_bytes)
    browser.get(section_url("offer", offer.pk), **HTMX)
    with django_assert_num_queries(5):  # session, user, offer, documents, client
        browser.get(section_url("offer", offer.pk), **HTMX)
    upload(browser, "offer", offer.pk, pdf_bytes)
    upload(browser, "offer", offer.pk, pdf_bytes)
    with django_assert_num_queries(5):
        browser.get(section_url("offer", offer.pk), **HTMX)


def test_a_store_that_is_down_answers_503_and_saves_nothing(client_as, rep, offer, pdf_bytes):
    from unittest import mock

    with mock.patch("documents.storage.document_storage") as store:
        store.return_value.save.side_effect = OSError("unreachable")
        response = upload(client_as(rep), "offer", offer.pk, pdf_bytes)
    assert response.status_code == 503
    assert "not reachable" in response.content.decode()
    assert not Document.objects.exists()

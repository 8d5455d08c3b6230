"""Upload, delete and freeze documents through their services (SPEC §7.4)."""

from __future__ import annotations

import hashlib
import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from core.errors import ServiceUnavailable, TransitionNotAllowed
from core.models import Activity
from documents import selectors
from documents.models import Document
from documents.services import document_delete, document_upload
from handoff.models import Handoff
from handoff.services.handoffs import handoff_resubmit, handoff_return, offer_win
from handoff.snapshots import snapshot_diff
from tests.projects.factories import accepted_project, sent_offer


def upload(actor, parent, content: bytes, name: str = "Proposal.pdf", *, kind: str = "offer", **kwargs) -> Document:
    return document_upload(
        actor=actor, kind=kind, parent=parent, file=SimpleUploadedFile(name, content), name=name, **kwargs
    )


@pytest.fixture
def offer(rep, pm):
    return sent_offer(owner=rep, reviewer=pm)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_it_stores_an_offer_document_with_its_facts(rep, offer, pdf_bytes, document_store):
    document = upload(rep, offer, pdf_bytes, title="Our proposal")
    assert (document.offer, document.client, document.parent_kind) == (offer, offer.client, "offer")
    assert document.title == "Our proposal"
    assert document.file_name == "Proposal.pdf"
    assert document.size == len(pdf_bytes)
    assert document.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == rep
    [stored] = stored_files(document_store)
    assert stored.read_bytes() == pdf_bytes
    assert "Proposal" not in stored.name  # the stored name is generated
    assert Activity.objects.filter(verb="document added", target_id=offer.pk).exists()


def test_it_titles_a_document_after_its_file_by_default(rep, offer, pdf_bytes):
    assert upload(rep, offer, pdf_bytes, "Statement of work.pdf").title == "Statement of work"


def test_it_attaches_to_every_kind_of_parent(rep, pm, pdf_bytes):
    from projects.services.changes import change_request_raise
    from projects.services.deliverables import deliverable_add

    project = accepted_project(owner=rep, pm=pm)
    deliverable = deliverable_add(project=project, actor=pm, name="Design")
    change = change_request_raise(project=project, actor=pm, data={"title": "More users", "cost_impact": "0"})
    documents = [
        upload(rep, project.client, pdf_bytes, kind="client"),
        upload(pm, project, pdf_bytes, kind="project"),
        upload(pm, deliverable, pdf_bytes, kind="deliverable"),
        upload(rep, change, pdf_bytes, kind="change_request"),
    ]
    assert [document.parent_kind for document in documents] == ["client", "project", "deliverable", "change_request"]
    assert {document.client_id for document in documents} == {project.client_id}


@pytest.mark.parametrize("who", ["other_rep", "pm", "manager", "outsider"])
def test_it_refuses_an_upload_to_an_offer_the_user_may_not_write(request, offer, pdf_bytes, who, document_store):
    with pytest.raises(PermissionDenied):
        upload(request.getfixturevalue(who), offer, pdf_bytes)
    assert not Document.objects.exists()
    assert stored_files(document_store) == []


def test_it_refuses_a_client_document_from_a_pm(pm, offer, pdf_bytes):
    with pytest.raises(PermissionDenied):
        upload(pm, offer.client, pdf_bytes, kind="client")


def test_it_refuses_a_project_document_from_another_pm(rep, pm, other_pm, pdf_bytes):
    project = accepted_project(owner=rep, pm=pm)
    with pytest.raises(PermissionDenied):
        upload(other_pm, project, pdf_bytes, kind="project")


def test_it_refuses_bad_content_and_writes_nothing(rep, offer, document_store):
    with pytest.raises(ValidationError):
        upload(rep, offer, b"MZ\x90\x00" + b"\x00" * 100, "contract.pdf")
    assert not Document.objects.exists()
    assert stored_files(document_store) == []


def test_it_refuses_confidential_from_someone_who_does_not_see_the_confidential_notes(other_rep, pdf_bytes):
    offer = sent_offer(owner=other_rep)  # other_rep owns this offer and its client: allowed
    assert upload(other_rep, offer, pdf_bytes, confidential=True).confidential


def test_it_refuses_confidential_from_an_offer_owner_who_is_not_the_account_owner(rep, other_rep, pdf_bytes):
    offer = sent_offer(owner=rep)
    offer.owner = other_rep
    offer.save()
    with pytest.raises(ValidationError) as error:
        upload(other_rep, offer, pdf_bytes, confidential=True)
    assert "confidential" in error.value.message_dict
    assert not Document.objects.exists()


def test_a_storage_that_is_down_is_a_503_and_leaves_no_row(rep, offer, pdf_bytes):
    with mock.patch("documents.storage.document_storage") as store:
        store.return_value.save.side_effect = OSError("disk gone")
        with pytest.raises(ServiceUnavailable):
            upload(rep, offer, pdf_bytes)
    assert not Document.objects.exists()


def test_a_failed_insert_removes_the_stored_file(rep, offer, pdf_bytes, document_store):
    broken = mock.patch("documents.services.Document.objects.create", side_effect=IntegrityError("boom"))
    with broken, pytest.raises(IntegrityError):
        upload(rep, offer, pdf_bytes)
    assert stored_files(document_store) == []


# --- Visibility --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "sees"),
    [("rep", True), ("pm", True), ("manager", True), ("other_rep", False), ("other_pm", False), ("outsider", False)],
)
def test_a_confidential_document_follows_the_confidential_notes_rule(request, rep, offer, pdf_bytes, who, sees):
    document = upload(rep, offer, pdf_bytes, confidential=True)
    user = request.getfixturevalue(who)
    assert selectors.documents_visible_to(user).filter(pk=document.pk).exists() is sees


@pytest.mark.parametrize("who", ["rep", "pm", "manager", "other_rep", "other_pm", "outsider"])
def test_a_plain_document_is_visible_to_whoever_reads_the_parent(request, rep, offer, pdf_bytes, who):
    document = upload(rep, offer, pdf_bytes)
    assert selectors.documents_visible_to(request.getfixturevalue(who)).filter(pk=document.pk).exists()


def test_the_visible_list_runs_one_query_whatever_the_rows(rep, other_rep, offer, pdf_bytes, django_assert_num_queries):
    for index in range(4):
        upload(rep, offer, pdf_bytes, confidential=index % 2 == 0)
    assert not other_rep.is_manager  # the roles come with the request's user; load them here
    with django_assert_num_queries(1):
        documents = list(selectors.document_list(user=other_rep, kind="offer", parent_id=offer.pk))
        assert [document.uploaded_by.username for document in documents] == ["rep", "rep"]


# --- Delete and freeze ---------------------------------------------------------------------------------------
def test_the_uploader_deletes_a_document_and_its_file(
    rep, offer, pdf_bytes, document_store, django_capture_on_commit_callbacks
):
    document = upload(rep, offer, pdf_bytes)
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document=document, actor=rep)
    assert not Document.objects.exists()
    assert stored_files(document_store) == []


def test_only_the_uploader_deletes(rep, manager, offer, pdf_bytes):
    document = upload(rep, offer, pdf_bytes)
    with pytest.raises(PermissionDenied):
        document_delete(document=document, actor=manager)
    assert Document.objects.filter(pk=document.pk).exists()


def test_winning_freezes_the_offer_and_client_documents_into_the_snapshot(rep, pm, offer, pdf_bytes):
    proposal = upload(rep, offer, pdf_bytes, "Proposal.pdf")
    requirements = upload(rep, offer.client, b"Need: two plants\n", "requirements.txt", kind="client")
    secret = upload(rep, offer, pdf_bytes, "Margin.pdf", confidential=True)
    handoff = offer_win(offer=offer, actor=rep)
    frozen = Document.objects.filter(frozen_at__isnull=False)
    assert set(frozen) == {proposal, requirements, secret}
    data = handoff.snapshots.get().data
    assert [(item["file_name"], item["size"], item["sha256"]) for item in data["documents"]] == [
        ("Proposal.pdf", len(pdf_bytes), hashlib.sha256(pdf_bytes).hexdigest()),
        ("requirements.txt", 17, hashlib.sha256(b"Need: two plants\n").hexdigest()),
    ]  # the confidential one is frozen but, like the confidential notes, not in the snapshot


def test_a_frozen_document_cannot_be_deleted(rep, offer, pdf_bytes):
    document = upload(rep, offer, pdf_bytes)
    offer_win(offer=offer, actor=rep)
    with pytest.raises(TransitionNotAllowed) as error:
        document_delete(document=document, actor=rep)
    assert error.value.code == "frozen"
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_resubmit_freezes_the_new_set_and_the_diff_lists_it(rep, pm, offer, pdf_bytes):
    first = upload(rep, offer, pdf_bytes, "Proposal.pdf")
    handoff = offer_win(offer=offer, actor=rep, pm=pm)
    handoff_return(handoff=handoff, actor=pm, reason="The SOW is missing.")
    offer.refresh_from_db()
    sow = upload(rep, offer, b"Statement of work\n", "SOW.txt")
    assert sow.frozen_at is None
    handoff_resubmit(handoff=Handoff.objects.get(pk=handoff.pk), actor=rep)
    sow.refresh_from_db()
    assert sow.is_frozen
    old, new = (snapshot.data for snapshot in handoff.snapshots.order_by("version"))
    changes = [(change["section"], change["change"], change["item"]) for change in snapshot_diff(old, new)]
    assert ("documents", "added", "SOW") in changes
    assert first.pk in [item["id"] for item in new["documents"]]


def test_the_demo_attaches_generated_pdfs_frozen_by_the_wins(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    documents = Document.objects.all()
    assert documents.filter(content_type="application/pdf", frozen_at__isnull=False).exists()
    assert documents.filter(frozen_at__isnull=True).exists()  # proposals of open offers
    count = documents.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Document.objects.count() == count  # idempotent

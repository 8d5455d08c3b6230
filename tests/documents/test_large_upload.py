"""A 200 MB upload is refused without the request being read whole, and memory stays low (SPEC §7.4)."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc

import pytest
from django.core.files.uploadhandler import StopUpload
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.authtoken.models import Token

from documents.models import Document
from documents.uploads import DocumentUploadHandler
from tests.projects.factories import sent_offer

BOUNDARY = "----handoff-large-upload"
MB = 1024 * 1024


class GeneratedBody(io.RawIOBase):
    """A multipart body of any size made on the fly (never held in memory); counts the bytes read."""

    def __init__(self, fields: dict[str, str], file_size: int) -> None:
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        )
        self.head = head.encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.file_size = file_size
        self.length = len(self.head) + file_size + len(self.tail)
        self.position = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def _byte_at(self, start: int, size: int) -> bytes:
        out = bytearray()
        end = min(start + size, self.length)
        position = start
        while position < end:
            if position < len(self.head):
                piece = self.head[position : min(end, len(self.head))]
            elif position < len(self.head) + self.file_size:
                piece = b"a" * (min(end, len(self.head) + self.file_size) - position)
            else:
                offset = position - len(self.head) - self.file_size
                piece = self.tail[offset : offset + end - position]
            out += piece
            position += len(piece)
        return bytes(out)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.position
        data = self._byte_at(self.position, size)
        self.position += len(data)
        self.read_bytes += len(data)
        return data


def post_generated(user, body: GeneratedBody) -> tuple[int, dict]:
    token, _ = Token.objects.get_or_create(user=user)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/documents/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "HTTP_AUTHORIZATION": f"Token {token.key}",
        "HTTP_ACCEPT": "application/json",
    }
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    content = b"".join(WSGIHandler()(environ, start_response))
    return answer["status"], json.loads(content)


@pytest.mark.django_db(transaction=True)
def test_a_200_mb_upload_is_refused_before_its_body_is_read(rep):
    offer = sent_offer(owner=rep)
    # A first small request loads what any first request loads (URLs, serializers), outside the measure.
    post_generated(rep, GeneratedBody({"offer": str(offer.pk)}, 16))
    before = Document.objects.count()
    body = GeneratedBody({"offer": str(offer.pk)}, 200 * MB)
    tracemalloc.start()
    try:
        status, answer = post_generated(rep, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 400
    assert "limit of 25 MB" in answer["file"][0]
    assert body.read_bytes == 0  # the body was never read
    assert peak < 2 * MB  # measured: about 0.13 MB
    assert Document.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_file_growing_past_the_limit_is_refused_with_memory_low(rep, settings):
    settings.DOCUMENT_MAX_MB = 1
    offer = sent_offer(owner=rep)
    body = GeneratedBody({"offer": str(offer.pk)}, MB + 60 * 1024)  # passes the Content-Length check
    tracemalloc.start()
    try:
        status, answer = post_generated(rep, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 400
    assert "limit of 1 MB" in answer["file"][0]
    assert peak < 10 * MB
    assert not Document.objects.exists()


def test_the_handler_stops_the_upload_at_the_chunk_that_passes_the_limit(settings, rf):
    settings.DOCUMENT_MAX_MB = 1
    request = rf.post("/api/v1/documents/")
    handler = DocumentUploadHandler(request)
    handler.new_file("file", "huge.txt", "text/plain", None)
    chunk = b"a" * (64 * 1024)
    for start in range(0, MB, len(chunk)):
        handler.receive_data_chunk(chunk, start)
    with pytest.raises(StopUpload) as stop:
        handler.receive_data_chunk(chunk, MB)
    assert stop.value.connection_reset  # the rest of the body is not read
    assert request.upload_refused == "The file is larger than the limit of 1 MB."


def test_the_handler_hashes_the_file_on_the_way(rf):
    handler = DocumentUploadHandler(rf.post("/"))
    handler.new_file("file", "notes.txt", "text/plain", None)
    handler.receive_data_chunk(b"hello ", 0)
    handler.receive_data_chunk(b"world", 6)
    uploaded = handler.file_complete(11)
    assert uploaded.sha256 == hashlib.sha256(b"hello world").hexdigest()

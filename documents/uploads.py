"""The upload handler: the document size limit enforced while the request streams in, and SHA-256 on the way.

Installed as the only ``FILE_UPLOAD_HANDLERS`` entry. A request whose
Content-Length already exceeds the limit is refused before a byte of its body
is read; a file that grows past the limit while streaming stops the upload at
that chunk (the rest of the body is not read). Either way ``request.upload_refused``
carries the message and the file is simply missing, so the view answers 400
with it. Every file goes to a temporary file on disk, never whole into memory.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.utils.translation import gettext as _

# Room for the multipart framing and the small fields that travel with the file.
ENVELOPE_BYTES = 64 * 1024


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_MB * 1024 * 1024


def too_large_message() -> str:
    return _("The file is larger than the limit of %(limit)s MB.") % {"limit": settings.DOCUMENT_MAX_MB}


class DocumentUploadHandler(TemporaryFileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > max_bytes() + ENVELOPE_BYTES:
            self._refuse()
            # "Handled": no fields, no files, and the body left unread.
            from django.http import QueryDict
            from django.utils.datastructures import MultiValueDict

            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self._digest = hashlib.sha256()
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._received += len(raw_data)
        if self._received > max_bytes():
            self._refuse()
            raise StopUpload(connection_reset=True)
        self._digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int):
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self._digest.hexdigest()
        return uploaded

    def _refuse(self) -> None:
        if self.request is not None:
            self.request.upload_refused = too_large_message()

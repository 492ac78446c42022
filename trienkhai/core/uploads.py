"""An upload larger than the cap stops being written where the cap is reached.

Django writes every uploaded file to memory or a temporary file before any view sees it, so a
2 GB "PDF" would fill the disk before `documents.uploads.check_upload` refused it. This handler,
first in ``FILE_UPLOAD_HANDLERS``, counts each file's bytes and stops passing them on once the
file is past ``UPLOAD_MAX_BYTES``; the request then carries an empty stand-in that says how
big the file was, and the usual check refuses it with its usual message (the rest of the
request body is read and dropped, not stored).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(InMemoryUploadedFile):
    """The stand-in of a file refused for its size: no content, the size that was seen."""

    def __init__(self, field_name: str, name: str, content_type: str, size: int) -> None:
        super().__init__(io.BytesIO(b""), field_name, name, content_type, size, None)


class SizeCapUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.cap = settings.UPLOAD_MAX_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        # past the cap, the next handlers (memory, temporary file) get nothing more
        return raw_data if self.seen <= self.cap else None

    def file_complete(self, file_size: int):
        if self.seen <= self.cap:
            return None  # within the cap: the next handler's file is the upload
        return OversizedUpload(self.field_name, self.file_name, self.content_type, self.seen)


def too_large_message(size: int) -> str | None:
    """The refusal of a file over ``UPLOAD_MAX_BYTES`` (None when it fits): for the imports,
    which read the file themselves instead of going through ``check_upload``."""
    from django.utils.translation import gettext as _

    limit = settings.UPLOAD_MAX_BYTES
    if size <= limit:
        return None

    def mb(n: int) -> str:
        return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".")

    return _("The file is too large (%(size)s MB). The limit is %(limit)s MB.") % {
        "size": mb(size),
        "limit": mb(limit),
    }

"""Serving a stored file: only while it still matches the SHA-256 taken when it came in.

Every kind of stored file (document files, evidence of progress, session minutes, visit
records) is served the same way by the view that has already checked the reader's access:
opened, its digest checked again on every read, and sent as a private attachment. A file
missing from storage is a 404; a file whose bytes changed on disk is never served — the
event is audited as ``file_tampered`` and the caller decides what to show.
"""

from __future__ import annotations

import logging
from typing import IO, Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.documents.uploads import sha256_of


class FileDamaged(Exception):
    """The stored bytes no longer match their digest (already audited and logged)."""


def open_verified(
    request: HttpRequest, stored: Any, *, log: logging.Logger, what: str, **ids: Any
) -> IO[bytes]:
    """The stored file, opened, if it is there and unchanged. ``what`` ("document file") and
    ``log`` are the caller's, for its error lines; ``ids`` go into the audit event."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError):
        log.error("%s %s is missing from storage (%s)", what, stored.pk, stored.file.name)
        raise Http404 from None
    if sha256_of(handle) != stored.sha256:
        handle.close()
        log.error("%s %s failed its SHA-256 check (%s)", what, stored.pk, stored.file.name)
        audit(
            AuditEvent.Kind.FILE_TAMPERED,
            request=request,
            filename=stored.original_name,
            **ids,
        )
        raise FileDamaged
    return handle


def private_download(handle: IO[bytes], stored: Any) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def damaged_page(
    request: HttpRequest, stored: Any, *, back_url: str, back_label: str, crumbs: Any = None
) -> HttpResponse:
    """What a reader sees instead of a file that changed on disk (409: the stored copy
    conflicts with what was uploaded)."""
    context = {"stored": stored, "back_url": back_url, "back_label": back_label, "crumbs": crumbs}
    return render(request, "core/file_damaged.html", context, status=409)

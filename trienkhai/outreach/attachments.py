"""Files attached to records of study and oversight (session minutes, visit records).

Checked like document files on the way in, stored under a random name, removed from storage
once their row is gone, and served only while their SHA-256 still matches.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.base import File
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from trienkhai.core.errors import DomainError
from trienkhai.documents.downloads import (
    FileDamaged,
    damaged_page,
    open_verified,
    private_download,
)
from trienkhai.documents.uploads import UploadRefused, check_upload

MAX_FILES = 10


def check_files(files: Sequence[Any], already: int = 0) -> list[tuple[Any, Any]]:
    """Each upload with what ``check_upload`` found; a refusal is a DomainError of code
    ``upload`` (the pages audit it), too many files one of code ``too_many``."""
    if len(files) + already > MAX_FILES:
        raise DomainError(
            _("Attach at most %(n)s files.") % {"n": MAX_FILES}, code="too_many", field="files"
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload)))
        except UploadRefused as exc:
            raise DomainError(str(exc), code="upload", field="files") from exc
    return checked


def store_file(model: type[Model], upload: Any, info: Any, **owner: Any) -> Any:
    """Save a checked upload as a ``model`` row of ``owner`` (e.g. ``session=s``)."""
    upload.seek(0)
    stored = model(
        **owner,
        original_name=info.name,
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
    )
    # The client's name is never used on disk (as for document files).
    stored.file.save(f"{secrets.token_hex(16)}.{info.ext}", File(upload), save=False)
    stored.save()
    return stored


def remove_files(names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        # a missing file is no reason to fail: the row is gone
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def file_response(
    request: HttpRequest,
    stored: Any,
    *,
    log: logging.Logger,
    name: str,
    back: tuple[str, str],
    **ids: Any,
) -> HttpResponse:
    """``stored`` (already scoped by the caller) as a private download; 404 if its file is
    gone, the "file damaged" page (409, audited with ``ids``) if it no longer matches its
    digest, with a link ``back`` (url, label). ``name`` ("session file") and ``log`` are the
    caller's, for its error lines."""
    try:
        handle = open_verified(request, stored, log=log, what=name, **ids)
    except FileDamaged:
        return damaged_page(request, stored, back_url=back[0], back_label=back[1])
    return private_download(handle, stored)

"""Writes to the document registry: register, edit, attach files, link into chains.

Every refusal that matters for security (a classified document, a dangerous upload) is
written to the audit log *after* the refused write has been rolled back, so the record
survives. Call these services outside any transaction of your own for that to hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent, User
from trienkhai.accounts.scoping import can_act_for_unit
from trienkhai.core.errors import DomainError
from trienkhai.documents.classification import classification_marker, symbol_marker
from trienkhai.documents.models import Document, DocumentFile
from trienkhai.documents.selectors import documents_for_user, issuer_units_for_user
from trienkhai.documents.uploads import CheckedUpload, UploadRefused, check_upload
from trienkhai.units.models import Unit

log = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "symbol",
    "title",
    "issue_date",
    "summary",
    "text",
    "issuer_unit",
    "issuer_name",
    "visibility",
    "term",
    "owner",
)
# How far a chain is followed when looking for a cycle; real chains are a handful deep.
MAX_CHAIN_DEPTH = 50
_LINK_LOCK = 0x7472_6C6E_6B00  # any constant shared by every link

# Translators: %(marker)s is Mật, Tối mật or Tuyệt mật; keep the name of the law.
CLASSIFIED_MESSAGE = gettext_noop(
    "This document is marked “%(marker)s”. Under the Law on Protection of State Secrets,"
    " classified documents must not be stored on a networked computer, so trienkhai does"
    " not accept it. Handle it through the classified-document channel of your unit."
)


class _Refusal(Exception):
    """Raised inside a transaction, turned into an audit record and a DomainError outside."""

    def __init__(self, kind: str, error: DomainError, **detail: Any) -> None:
        super().__init__(error.message)
        self.kind = kind
        self.error = error
        self.detail = detail


def _current_request():
    # simple_history's middleware keeps the request: it gives the audit log the address
    # without widening the services' signatures.
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _record(refusal: _Refusal, by: User | None) -> None:
    audit(refusal.kind, request=_current_request(), user=by, **refusal.detail)


def _classified(marker: str, *, symbol: str, filename: str = "") -> _Refusal:
    return _Refusal(
        AuditEvent.Kind.CLASSIFIED_REFUSED,
        DomainError(_(CLASSIFIED_MESSAGE) % {"marker": marker}, code="classified"),
        symbol=symbol,
        filename=filename,
        marker=marker,
    )


def _check_not_classified(fields: dict[str, str], *, symbol: str) -> None:
    marker = symbol_marker(symbol)
    if marker:
        raise _classified(marker, symbol=symbol)
    for name in ("title", "summary", "text"):
        marker = classification_marker(fields.get(name) or "")
        if marker:
            raise _classified(marker, symbol=symbol)


def _check_upload(upload: UploadedFile, *, symbol: str) -> CheckedUpload:
    try:
        checked = check_upload(upload)
    except UploadRefused as exc:
        raise _Refusal(
            AuditEvent.Kind.UPLOAD_REFUSED,
            DomainError(exc.message, code="upload_refused", field="files"),
            symbol=symbol,
            filename=(upload.name or "")[:255],
            reason=exc.reason,
        )
    marker = classification_marker(checked.text)
    if marker:
        raise _classified(marker, symbol=symbol, filename=checked.name)
    return checked


# --- symbols and duplicates ------------------------------------------------------------


def _apply_symbol(document: Document) -> None:
    """Fill number, type, issuer code and year from the symbol as printed."""
    from trienkhai.vntext.symbols import parse_symbol

    document.symbol = " ".join((document.symbol or "").split())
    parsed = parse_symbol(document.symbol) if document.symbol else None
    if parsed is None:
        document.number = document.type_code = document.issuer_code = ""
        document.year = None
        return
    document.number = str(parsed.number)[:20]
    document.type_code = (parsed.type or "")[:10]
    document.issuer_code = (parsed.issuer_norm or parsed.issuer or "")[:30]
    year = getattr(parsed, "year", None)
    document.year = int(year) if year else None
    term = getattr(parsed, "term", None)
    if term and not document.term:
        document.term = str(term)[:10]


def _number_forms(number: str) -> set[str]:
    bare = number.lstrip("0") or "0"
    return {number, bare, bare.zfill(2), bare.zfill(3)}


def find_duplicate(document: Document) -> Document | None:
    """A registered document with the same symbol: same number, type and issuer, and the
    same year (the symbol's, or else the year of issue). Numbers restart every year or term,
    so the year is part of the identity. Documents whose issuing units are both known and
    differ are not the same (every ward writes its own 01-KH/ĐU)."""
    if not document.symbol:
        return None
    if document.number:
        qs = Document.objects.filter(
            number__in=_number_forms(document.number),
            type_code=document.type_code,
            issuer_code=document.issuer_code,
        )
    else:
        qs = Document.objects.filter(symbol__iexact=document.symbol)
    if document.pk:
        qs = qs.exclude(pk=document.pk)
    year = document.year or (document.issue_date.year if document.issue_date else None)
    if year is not None:
        qs = qs.filter(Q(year=year) | Q(year__isnull=True, issue_date__year=year))
    else:
        qs = qs.filter(year__isnull=True, issue_date__isnull=True)
    if document.issuer_unit_id:
        qs = qs.filter(Q(issuer_unit__isnull=True) | Q(issuer_unit=document.issuer_unit_id))
    return qs.order_by("pk").first()


def _lock_symbol(document: Document) -> None:
    """Serialize registrations of one symbol so two parallel requests cannot both pass the
    duplicate check. SQLite runs write transactions one at a time already."""
    if connection.vendor != "postgresql" or not document.symbol:
        return
    key = f"{document.number}|{document.type_code}|{document.issuer_code}".upper()
    if not document.number:
        key = document.symbol.upper()
    lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _check_duplicate(document: Document) -> None:
    _lock_symbol(document)
    if find_duplicate(document) is not None:
        year = document.year or (document.issue_date.year if document.issue_date else None)
        if year:
            message = _("A document %(symbol)s of %(year)s is already registered.") % {
                "symbol": document.symbol,
                "year": year,
            }
        else:
            message = _("A document %(symbol)s is already registered.") % {
                "symbol": document.symbol
            }
        raise DomainError(message, code="duplicate", field="symbol")


# --- checks on who may do what ----------------------------------------------------------


def _check_owner(by: User | None, owner: Unit) -> None:
    if by is not None and not can_act_for_unit(by, owner):
        raise DomainError(
            _("You cannot register documents for this unit."), code="forbidden", field="owner"
        )


def _check_issuer(by: User | None, issuer_unit: Unit | None) -> None:
    if by is None or issuer_unit is None:
        return
    if not issuer_units_for_user(by).filter(pk=issuer_unit.pk).exists():
        raise DomainError(
            _("You cannot name this unit as the issuer."), code="forbidden", field="issuer_unit"
        )


def _check_visible(by: User | None, target: Document) -> None:
    if by is not None and not documents_for_user(by).filter(pk=target.pk).exists():
        raise DomainError(_("Document not found."), code="not_found", field="implements")


def _check_writer(by: User | None, document: Document) -> None:
    if by is not None and not can_act_for_unit(by, document.owner):
        raise DomainError(
            _("Only the staff of the registering unit can change this document."),
            code="forbidden",
        )


# --- files ------------------------------------------------------------------------------


def _store(
    document: Document, checked: CheckedUpload, by: User | None, saved: list[str]
) -> DocumentFile:
    stored = DocumentFile(
        document=document,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    stored._history_user = by
    # The client's name is never used on disk: a random name, in upload_to's folder.
    checked.upload.file.seek(0)
    stored.file.save(f"{secrets.token_hex(16)}.{checked.ext}", checked.upload, save=False)
    saved.append(stored.file.name)
    stored.save()
    return stored


def _remove_files(names: list[str]) -> None:
    storage = DocumentFile._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not remove the stored file %s after a rollback", name)


# --- chains -----------------------------------------------------------------------------


def _would_cycle(document: Document, target: Document) -> bool:
    """True if ``target`` already (transitively) implements ``document``."""
    if document.pk == target.pk:
        return True
    through = Document.implements.through
    seen = {target.pk}
    frontier = {target.pk}
    for _level in range(MAX_CHAIN_DEPTH):
        if not frontier:
            return False
        upward = set(
            through.objects.filter(from_document_id__in=frontier).values_list(
                "to_document_id", flat=True
            )
        )
        if document.pk in upward:
            return True
        frontier = upward - seen
        seen |= frontier
    # A chain deeper than any real one: refuse rather than risk a loop.
    return True


def _lock_links() -> None:
    """Serialize links on PostgreSQL: two links made at once could together close a circle
    that neither check sees. Links are rare, so one lock for all of them is enough."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LINK_LOCK])


def _link(document: Document, target: Document, by: User | None) -> None:
    _check_visible(by, target)
    if _would_cycle(document, target):
        raise DomainError(
            _(
                "%(target)s cannot be linked: it already implements %(document)s (directly"
                " or through other documents), so the chain would go round in a circle."
            )
            % {"target": target, "document": document},
            code="cycle",
            field="implements",
        )
    document._history_user = by
    document.implements.add(target)


# --- public services --------------------------------------------------------------------


def document_create(
    *,
    owner: Unit,
    by: User | None,
    symbol: str = "",
    title: str = "",
    issue_date: dt.date | None = None,
    summary: str = "",
    text: str = "",
    issuer_unit: Unit | None = None,
    issuer_name: str = "",
    visibility: str = Document.Visibility.INTERNAL,
    implements: Iterable[Document] = (),
    term: str = "",
    files: Iterable[UploadedFile] = (),
) -> Document:
    """Register a document for ``owner``, with its files and the documents it implements.

    Refuses a unit ``by`` cannot act for, a duplicate symbol, a link that would make a
    circle, a file that fails the upload checks, and anything marked Mật / Tối mật /
    Tuyệt mật (the refusal is recorded in the audit log).
    """
    _check_owner(by, owner)
    _check_issuer(by, issuer_unit)
    if visibility not in Document.Visibility.values:
        raise DomainError(_("Unknown visibility."), code="invalid", field="visibility")
    if not (symbol.strip() or title.strip() or summary.strip()):
        raise DomainError(_("Give at least the symbol, the title or the summary."), code="required")
    saved: list[str] = []
    try:
        with transaction.atomic():
            _check_not_classified({"title": title, "summary": summary, "text": text}, symbol=symbol)
            checked = [_check_upload(f, symbol=symbol) for f in files]
            document = Document(
                owner=owner,
                symbol=symbol.strip(),
                title=title.strip(),
                issue_date=issue_date,
                summary=summary.strip(),
                text=text,
                issuer_unit=issuer_unit,
                issuer_name=issuer_name.strip(),
                visibility=visibility,
                term=term.strip(),
                created_by=by,
            )
            _apply_symbol(document)
            _check_duplicate(document)
            document.refresh_search_text()
            document._history_user = by
            document.save()
            targets = list(implements)
            if targets:
                _lock_links()
            for target in targets:
                _link(document, target, by)
            for item in checked:
                _store(document, item, by, saved)
    except _Refusal as refusal:
        _remove_files(saved)
        _record(refusal, by)  # outside the rolled-back transaction, so it stays
        raise refusal.error
    except BaseException:
        _remove_files(saved)
        raise
    return document


def document_update(*, document: Document, by: User | None, **fields: Any) -> Document:
    """Change a document's fields; the symbol is parsed again and checked for duplicates."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    _check_writer(by, document)
    if "owner" in fields:
        if fields["owner"] is None:
            raise DomainError(_("Choose the registering unit."), code="required", field="owner")
        if fields["owner"].pk != document.owner_id:
            _check_owner(by, fields["owner"])
    new_issuer = fields.get("issuer_unit")
    if new_issuer is not None and new_issuer.pk != document.issuer_unit_id:
        _check_issuer(by, new_issuer)
    if "visibility" in fields and fields["visibility"] not in Document.Visibility.values:
        raise DomainError(_("Unknown visibility."), code="invalid", field="visibility")
    symbol = fields.get("symbol", document.symbol) or ""
    try:
        with transaction.atomic():
            _check_not_classified(
                {k: fields.get(k) or "" for k in ("title", "summary", "text")}, symbol=symbol
            )
            locked = Document.objects.select_for_update().get(pk=document.pk)
            for key, value in fields.items():
                if isinstance(value, str) and key != "text":
                    value = value.strip()
                setattr(locked, key, value)
            _apply_symbol(locked)
            if not (locked.symbol or locked.title or locked.summary):
                raise DomainError(
                    _("Give at least the symbol, the title or the summary."), code="required"
                )
            _check_duplicate(locked)
            locked.refresh_search_text()
            locked._history_user = by
            locked.save()
    except _Refusal as refusal:
        _record(refusal, by)
        raise refusal.error
    document.refresh_from_db()
    return document


def document_attach_file(
    *, document: Document, upload: UploadedFile, by: User | None
) -> DocumentFile:
    """Check an upload and attach it to the document under a random stored name."""
    _check_writer(by, document)
    saved: list[str] = []
    try:
        with transaction.atomic():
            checked = _check_upload(upload, symbol=document.symbol)
            return _store(document, checked, by, saved)
    except _Refusal as refusal:
        _remove_files(saved)
        _record(refusal, by)
        raise refusal.error
    except BaseException:
        _remove_files(saved)
        raise


def document_link(*, document: Document, implements: Document, by: User | None) -> None:
    """Record that ``document`` implements ``implements``; refuses a link closing a circle."""
    _check_writer(by, document)
    with transaction.atomic():
        _lock_links()
        _link(document, implements, by)


def document_unlink(*, document: Document, implements: Document, by: User | None) -> None:
    """Remove the link between ``document`` and a document it implements."""
    _check_writer(by, document)
    document._history_user = by
    document.implements.remove(implements)

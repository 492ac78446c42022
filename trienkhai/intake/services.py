"""The one write of "New from text": the source document and its tasks, all or nothing.

Everything goes through the documents and tasks services, so the same rules hold as when
they are typed in one by one: who may act for the issuing unit, duplicate symbols, links that
would close a circle, targets only under the issuing unit, history on every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.core.errors import DomainError
from trienkhai.documents.classification import classification_marker, symbol_marker
from trienkhai.documents.models import Document
from trienkhai.documents.services import CLASSIFIED_MESSAGE, document_create
from trienkhai.tasks.models import Target, Task
from trienkhai.tasks.services import target_add, task_create
from trienkhai.units.models import Unit


@dataclass
class TaskDraft:
    """A task as the officer confirmed it, with the targets to give it."""

    title: str
    kind: str = Task.Kind.OTHER
    description: str = ""
    clause: str = ""
    due_date: dt.date | None = None
    recurrence: str = ""
    recurrence_day: int | None = None
    recurrence_month: int | None = None
    role: str = Target.Role.LEAD
    units: list[Unit] = field(default_factory=list)
    # None: no rule; a list (empty = every kind): every unit of these kinds under the issuer
    rule_kinds: list[str] | None = None
    rule_depth: int | None = None


class TaskDraftError(DomainError):
    """A DomainError raised while creating the task at ``index`` of the drafts."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(error.message, code=error.code, field=error.field)
        self.index = index


@dataclass
class Intake:
    document: Document
    tasks: list[Task]
    assignments: int


def _current_request():
    # simple_history's middleware keeps the request: the audit log gets the address
    # without the service taking a request argument.
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _refuse_classified(*, by: Any, symbol: str, title: str, text: str) -> None:
    """Refuse a classified text before any transaction, so the audit record stays."""
    marker = symbol_marker(symbol) or classification_marker(title) or classification_marker(text)
    if marker:
        audit(
            AuditEvent.Kind.CLASSIFIED_REFUSED,
            request=_current_request(),
            user=by,
            symbol=symbol,
            marker=marker,
            source="intake",
        )
        raise DomainError(_(CLASSIFIED_MESSAGE) % {"marker": marker}, code="classified")


def intake_confirm(
    *,
    by: Any,
    issuer: Unit,
    text: str,
    tasks: Sequence[TaskDraft],
    symbol: str = "",
    title: str = "",
    issue_date: dt.date | None = None,
    issuer_name: str = "",
    implements: Sequence[Document] = (),
) -> Intake:
    """Register the source document of ``issuer`` and create its tasks and targets.

    The document is issued by ``issuer`` unless ``issuer_name`` names another body (the
    City's letter registered by a ward). One transaction: a refused document, task or
    target leaves nothing behind. A task's
    error is raised as ``TaskDraftError`` carrying the draft's index, so the page can put it
    on the right row.
    """
    if not tasks:
        raise DomainError(_("Keep at least one task: nothing would be created."), code="empty")
    _refuse_classified(by=by, symbol=symbol, title=title, text=text)
    created: list[Task] = []
    assignments = 0
    with transaction.atomic():
        document = document_create(
            owner=issuer,
            by=by,
            symbol=symbol,
            title=title,
            issue_date=issue_date,
            text=text,
            issuer_unit=None if issuer_name else issuer,
            issuer_name=issuer_name,
            implements=implements,
        )
        for index, draft in enumerate(tasks):
            try:
                task = task_create(
                    issuer=issuer,
                    by=by,
                    title=draft.title,
                    description=draft.description,
                    source_document=document,
                    clause=draft.clause,
                    kind=draft.kind,
                    due_date=None if draft.recurrence else draft.due_date,
                    recurrence=draft.recurrence,
                    recurrence_day=draft.recurrence_day if draft.recurrence else None,
                    recurrence_month=draft.recurrence_month if draft.recurrence else None,
                )
                if draft.units:
                    _target, n = target_add(
                        task=task, by=by, mode=Target.Mode.UNITS, units=draft.units, role=draft.role
                    )
                    assignments += n
                if draft.rule_kinds is not None:
                    _target, n = target_add(
                        task=task,
                        by=by,
                        mode=Target.Mode.RULE,
                        kinds=draft.rule_kinds,
                        depth=draft.rule_depth,
                        role=draft.role,
                    )
                    assignments += n
            except TaskDraftError:
                raise
            except DomainError as error:
                raise TaskDraftError(index, error) from error
            created.append(task)
        audit(
            AuditEvent.Kind.IMPORT,
            request=_current_request(),
            user=by,
            source="intake",
            document=document.pk,
            tasks=[t.pk for t in created],
            assignments=assignments,
        )
    return Intake(document=document, tasks=created, assignments=assignments)

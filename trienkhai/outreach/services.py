"""Writes of study and dissemination: sessions, public information items, their counters.

Every write runs inside ``rollup.counting(unit)``: the unit is locked, and the counters move by
exactly the change of the unit's contribution, in the same transaction. Recording a session
also advances the unit's study assignment through the cascade's own service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trienkhai.accounts.scoping import can_act_for_unit
from trienkhai.core.errors import DomainError
from trienkhai.core.versioning import check_version
from trienkhai.documents.models import Document
from trienkhai.outreach import rollup
from trienkhai.outreach.attachments import check_files, remove_files, store_file
from trienkhai.outreach.models import (
    GROUPS,
    HEADCOUNT_GROUPS,
    PublicOutreach,
    SessionFile,
    StudySession,
)
from trienkhai.tasks.models import Assignment, Task
from trienkhai.tasks.services import assignment_update
from trienkhai.units.models import Unit

MAX_ATTENDANCE = 10_000_000
CHAIN_DEPTH = 12
# How each group is named inside a sentence ("1.250 party members attended…").
GROUP_WORDS = {
    "cadres": gettext_lazy("cadres"),
    "party_members": gettext_lazy("party members"),
    "union_members": gettext_lazy("union members"),
    "association_members": gettext_lazy("association members"),
    "public": gettext_lazy("members of the public"),
}
SESSION_FIELDS = ("held_on", "form", "location", "presenter", "minutes")


def _today() -> dt.date:
    return timezone.localdate()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _num(n: int) -> str:
    return number_format(n, force_grouping=True)


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _check_acts_for(by: Any, unit: Unit) -> None:
    if by is None:  # system jobs, commands and the demo
        return
    if not can_act_for_unit(by, unit):
        raise DomainError(_("You can only act for your own unit."), code="forbidden", field="unit")


def _check_active(unit: Unit) -> None:
    if unit.dissolved_on is not None:
        raise DomainError(
            _("%(unit)s was dissolved on %(date)s: it records nothing new.")
            % {"unit": unit.name, "date": _fmt(unit.dissolved_on)},
            code="dissolved",
            field="unit",
        )


def _deleted(obj: Any, *, what: str) -> None:
    """Delete ``obj``; a record still protected by another (a new one raced in) is refused
    with a message rather than a server error."""
    try:
        obj.delete()
    except ProtectedError as exc:
        raise DomainError(
            _("This %(what)s cannot be deleted: other records depend on it (%(n)s).")
            % {"what": what, "n": len(exc.protected_objects)},
            code="protected",
            field="reason",
        ) from exc


def _check_date(day: dt.date | None, today: dt.date) -> None:
    if day is None:
        raise DomainError(_("Enter the date (dd/mm/yyyy)."), code="required", field="held_on")
    if day > today:
        raise DomainError(
            _("The date cannot be in the future (today is %(today)s).") % {"today": _fmt(today)},
            code="future",
            field="held_on",
        )


# --- what a unit was asked to study ----------------------------------------------------------


def study_assignments(unit: Unit):
    """The unit's study assignments that sessions may belong to (not passed to a successor)."""
    return Assignment.objects.active().filter(unit=unit, task__kind=Task.Kind.STUDY)


def _chain_tasks(assignment: Assignment) -> list[Task]:
    """The assignment's task and the tasks above it in the cascade, bottom first."""
    tasks = [assignment.task]
    seen = {assignment.task_id}
    parent_id = assignment.task.parent_assignment_id
    while parent_id and len(tasks) < CHAIN_DEPTH:
        parent = Assignment.objects.select_related("task").filter(pk=parent_id).first()
        if parent is None or parent.task_id in seen:
            break
        tasks.append(parent.task)
        seen.add(parent.task_id)
        parent_id = parent.task.parent_assignment_id
    return tasks


def study_topic(assignment: Assignment) -> Task:
    """The highest study task of the assignment's cascade: what coverage is counted for."""
    topic = assignment.task
    for task in _chain_tasks(assignment)[1:]:
        if task.kind != Task.Kind.STUDY:
            break
        topic = task
    return topic


def documents_asked(assignment: Assignment) -> list[int]:
    """Ids of the documents the assignment asks to study: the source documents of its task
    and of the tasks above it, and every document they implement."""
    found: list[int] = []
    frontier = [t.source_document_id for t in _chain_tasks(assignment) if t.source_document_id]
    through = Document.implements.through
    for _level in range(CHAIN_DEPTH):
        frontier = [d for d in dict.fromkeys(frontier) if d not in found]
        if not frontier:
            break
        found.extend(frontier)
        frontier = list(
            through.objects.filter(from_document_id__in=frontier).values_list(
                "to_document_id", flat=True
            )
        )
    return found


def _check_assignment(assignment: Assignment | None, unit: Unit | None = None) -> Assignment:
    ok = (
        assignment is not None
        and assignment.task.kind == Task.Kind.STUDY
        and assignment.is_active
        and (unit is None or assignment.unit_id == unit.pk)
    )
    if not ok:
        raise DomainError(
            _("Choose one of your unit's study assignments."), code="invalid", field="assignment"
        )
    return assignment  # type: ignore[return-value]


def _check_documents(assignment: Assignment, documents: Sequence[Document]) -> None:
    if not documents:
        raise DomainError(_("Choose the documents studied."), code="required", field="documents")
    asked = documents_asked(assignment)
    for doc in documents:
        if doc.pk not in asked:
            names = Document.objects.filter(pk__in=asked)
            listed = ", ".join(d.symbol or str(d) for d in names) or _("none")
            raise DomainError(
                _(
                    "%(unit)s was not asked to study %(document)s: the assignment “%(task)s”"
                    " covers %(asked)s."
                )
                % {
                    "unit": assignment.unit.name,
                    "document": doc.symbol or str(doc),
                    "task": assignment.task.title,
                    "asked": listed,
                },
                code="not_asked",
                field="documents",
            )


def _clean_attendance(unit: Unit, attendance: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for group in GROUPS:
        raw = attendance.get(group) or 0
        try:
            n = int(raw)
        except (TypeError, ValueError):
            raise DomainError(_("Enter a whole number."), code="invalid", field=group)
        if not 0 <= n <= MAX_ATTENDANCE:
            raise DomainError(
                _("Enter a whole number from 0 to %(max)s.") % {"max": _num(MAX_ATTENDANCE)},
                code="range",
                field=group,
            )
        counts[group] = n
    for group in HEADCOUNT_GROUPS:
        n, headcount = counts[group], getattr(unit, group)
        if n and not headcount:
            raise DomainError(
                _(
                    "%(unit)s has declared no %(group)s: update the unit's headcounts first"
                    " (Units page)."
                )
                % {"unit": unit.name, "group": GROUP_WORDS[group]},
                code="no_headcount",
                field=group,
            )
        if n > headcount:
            raise DomainError(
                _(
                    "%(n)s %(group)s attended, more than the %(headcount)s %(group)s of"
                    " %(unit)s: check the figure, or update the unit's headcounts."
                )
                % {
                    "n": _num(n),
                    "group": GROUP_WORDS[group],
                    "headcount": _num(headcount),
                    "unit": unit.name,
                },
                code="above_headcount",
                field=group,
            )
    if not any(counts.values()):
        raise DomainError(
            _("Enter how many people attended, in at least one group."),
            code="required",
            field="cadres",
        )
    return counts


def _clean_fields(fields: dict[str, Any], today: dt.date) -> dict[str, Any]:
    out = {k: fields.get(k) for k in SESSION_FIELDS}
    _check_date(out["held_on"], today)
    if out["form"] not in StudySession.Form.values:
        raise DomainError(_("Choose in person, online, or both."), code="invalid", field="form")
    for key in ("location", "presenter"):
        out[key] = " ".join((out[key] or "").split())[:255]
    out["minutes"] = (out["minutes"] or "").strip()
    if out["form"] != StudySession.Form.ONLINE and not out["location"]:
        raise DomainError(_("Enter where the session was held."), code="required", field="location")
    return out


def unit_coverage_percent(unit: Unit, topic_id: int) -> int:
    """The unit's own coverage of a topic, all groups with a headcount together (0–100)."""
    sums = StudySession.objects.filter(unit=unit, topic_id=topic_id).aggregate(
        **{g: Sum(g) for g in HEADCOUNT_GROUPS}
    )
    total = sum(getattr(unit, g) for g in HEADCOUNT_GROUPS)
    if not total:
        return 0
    covered = sum(min(sums[g] or 0, getattr(unit, g)) for g in HEADCOUNT_GROUPS)
    return int(100 * covered / total)


# --- sessions --------------------------------------------------------------------------------


@transaction.atomic
def session_record(
    *,
    assignment: Assignment,
    by: Any,
    documents: Sequence[Document],
    attendance: dict[str, Any],
    files: Sequence[Any] = (),
    completed: bool = False,
    reason: str = "",
    today: dt.date | None = None,
    **fields: Any,
) -> StudySession:
    """Record a study session of the assignment's unit and advance the assignment.

    ``fields``: held_on, form, location, presenter, minutes. With ``completed`` the
    assignment is marked done (a late one needs ``reason``, as any late assignment).
    """
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    today = today or _today()
    assignment = _check_assignment(
        Assignment.objects.select_related("task", "unit").filter(pk=assignment.pk).first()
    )
    _check_acts_for(by, assignment.unit)
    with rollup.counting(assignment.unit_id, changes="sessions") as unit:
        _check_active(unit)
        data = _clean_fields(fields, today)
        counts = _clean_attendance(unit, attendance)
        documents = list(documents)
        _check_documents(assignment, documents)
        checked = check_files(files)
        session = StudySession(
            unit=unit,
            assignment=assignment,
            topic=study_topic(assignment),
            created_by=_user(by),
            **data,
            **counts,
        )
        session.refresh_search_text(unit.name)
        session._history_user = _user(by)
        session.save()
        session.documents.set(documents)
        for upload, info in checked:
            store_file(SessionFile, upload, info, session=session)
    _advance(session, by=by, completed=completed, reason=reason, today=today)
    return session


def _advance(
    session: StudySession, *, by: Any, completed: bool, reason: str, today: dt.date
) -> None:
    """Report the session on the study assignment (the cascade's own progress update)."""
    a = Assignment.objects.get(pk=session.assignment_id)
    if a.is_done:
        return
    text = _(
        "Study session on %(date)s (%(form)s%(place)s): %(n)s people attended,"
        " documents studied: %(documents)s."
    ) % {
        "date": _fmt(session.held_on),
        "form": session.get_form_display().lower(),
        "place": f", {session.location}" if session.location else "",
        "n": _num(session.attendance_total),
        "documents": ", ".join(d.symbol or str(d) for d in session.documents.all()),
    }
    progress = (
        100
        if completed
        else max(a.progress, min(99, unit_coverage_percent(session.unit, session.topic_id)))
    )
    assignment_update(
        assignment=a,
        by=by,
        text=text,
        progress=progress,
        reason=reason,
        completed=completed,
        completed_on=today if completed else None,
        today=today,
    )


@transaction.atomic
def session_update(
    *,
    session: StudySession,
    by: Any,
    documents: Sequence[Document],
    attendance: dict[str, Any],
    files: Sequence[Any] = (),
    today: dt.date | None = None,
    version: int | None = None,
    **fields: Any,
) -> StudySession:
    """Correct a recorded session (its assignment and unit stay); ``version`` is the one the
    editor read (a newer correction in between is refused)."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    today = today or _today()
    _check_acts_for(by, session.unit)
    with rollup.counting(session.unit_id, changes="sessions") as unit:
        s = StudySession.objects.select_related("assignment__task", "assignment__unit").get(
            pk=session.pk
        )
        check_version(s, version, _("study session"))
        data = _clean_fields(fields, today)
        counts = _clean_attendance(unit, attendance)
        documents = list(documents)
        _check_documents(s.assignment, documents)
        checked = check_files(files, already=s.files.count())
        for key, value in {**data, **counts}.items():
            setattr(s, key, value)
        s.refresh_search_text(unit.name)
        s.version += 1
        s._history_user = _user(by)
        s.save()
        s.documents.set(documents)
        for upload, info in checked:
            store_file(SessionFile, upload, info, session=s)
    return s


@transaction.atomic
def session_delete(*, session: StudySession, by: Any, reason: str) -> None:
    """Remove a session recorded by mistake (its history keeps it, with the reason)."""
    _check_acts_for(by, session.unit)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(
            _("Give the reason for deleting this session."), code="required", field="reason"
        )
    with rollup.counting(session.unit_id, changes="sessions"):
        s = StudySession.objects.get(pk=session.pk)
        s._history_user = _user(by)
        s._change_reason = reason[:100]
        names = [f.file.name for f in s.files.all()]
        _deleted(s, what=_("study session"))
        transaction.on_commit(lambda: remove_files(names))


# --- information for the public --------------------------------------------------------------

OUTREACH_FIELDS = ("kind", "title", "held_on", "channel", "audience", "summary")


def _clean_outreach(fields: dict[str, Any], today: dt.date) -> dict[str, Any]:
    out = {k: fields.get(k) for k in OUTREACH_FIELDS}
    if out["kind"] not in PublicOutreach.Kind.values:
        raise DomainError(
            _("Choose an article, a broadcast, an event or other."), code="invalid", field="kind"
        )
    out["title"] = " ".join((out["title"] or "").split())[:300]
    if not out["title"]:
        raise DomainError(_("Enter the title."), code="required", field="title")
    _check_date(out["held_on"], today)
    out["channel"] = " ".join((out["channel"] or "").split())[:255]
    out["summary"] = (out["summary"] or "").strip()
    audience = out["audience"]
    if audience in ("", None):
        out["audience"] = None
    else:
        try:
            out["audience"] = int(audience)
        except (TypeError, ValueError):
            raise DomainError(_("Enter a whole number."), code="invalid", field="audience")
        if not 0 <= out["audience"] <= 1_000_000_000:
            raise DomainError(
                _("Enter a whole number from 0 to %(max)s.") % {"max": _num(1_000_000_000)},
                code="range",
                field="audience",
            )
    return out


def _check_visible_documents(by: Any, documents: Sequence[Document]) -> None:
    if by is None or not documents:
        return
    from trienkhai.documents.selectors import documents_for_user

    visible = set(
        documents_for_user(by).filter(pk__in=[d.pk for d in documents]).values_list("pk", flat=1)
    )
    if any(d.pk not in visible for d in documents):
        raise DomainError(_("Choose a document you can see."), code="forbidden", field="documents")


@transaction.atomic
def outreach_record(
    *,
    unit: Unit,
    by: Any,
    documents: Sequence[Document] = (),
    today: dt.date | None = None,
    **fields: Any,
) -> PublicOutreach:
    """Record an article, broadcast or event the unit ran for the public."""
    unknown = set(fields) - set(OUTREACH_FIELDS)
    if unknown:
        raise TypeError(f"unknown outreach fields: {sorted(unknown)}")
    today = today or _today()
    _check_acts_for(by, unit)
    with rollup.counting(unit.pk, changes="items") as locked:
        _check_active(locked)
        data = _clean_outreach(fields, today)
        documents = list(documents)
        _check_visible_documents(by, documents)
        item = PublicOutreach(unit=locked, created_by=_user(by), **data)
        item.refresh_search_text(locked.name)
        item._history_user = _user(by)
        item.save()
        item.documents.set(documents)
    return item


@transaction.atomic
def outreach_update(
    *,
    item: PublicOutreach,
    by: Any,
    documents: Sequence[Document] = (),
    today: dt.date | None = None,
    version: int | None = None,
    **fields: Any,
) -> PublicOutreach:
    """Correct an item (its unit stays); ``version`` as for sessions."""
    unknown = set(fields) - set(OUTREACH_FIELDS)
    if unknown:
        raise TypeError(f"unknown outreach fields: {sorted(unknown)}")
    today = today or _today()
    _check_acts_for(by, item.unit)
    with rollup.counting(item.unit_id, changes="items") as unit:
        data = _clean_outreach(fields, today)
        documents = list(documents)
        _check_visible_documents(by, documents)
        obj = PublicOutreach.objects.get(pk=item.pk)
        check_version(obj, version, _("public information item"))
        for key, value in data.items():
            setattr(obj, key, value)
        obj.version += 1
        obj.refresh_search_text(unit.name)
        obj._history_user = _user(by)
        obj.save()
        obj.documents.set(documents)
    return obj


@transaction.atomic
def outreach_delete(*, item: PublicOutreach, by: Any, reason: str) -> None:
    """Remove an item recorded by mistake (its history keeps it, with the reason)."""
    _check_acts_for(by, item.unit)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(
            _("Give the reason for deleting this item."), code="required", field="reason"
        )
    with rollup.counting(item.unit_id, changes="items"):
        obj = PublicOutreach.objects.get(pk=item.pk)
        obj._history_user = _user(by)
        obj._change_reason = reason[:100]
        _deleted(obj, what=_("public information item"))

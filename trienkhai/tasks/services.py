"""Writes of the cascade: tasks, targeting, assignments, progress, and their counters.

Every function that changes an assignment's status, unit or update flag also records the
counter deltas (``rollup.record``) in the same transaction, so the dashboard never drifts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trienkhai.accounts.scoping import can_act_for_unit, can_read_unit, sees_everything
from trienkhai.core.errors import DomainError
from trienkhai.documents.models import Document
from trienkhai.documents.uploads import UploadRefused, check_upload
from trienkhai.tasks import rollup
from trienkhai.tasks.bulk import insert_assignments
from trienkhai.tasks.models import (
    Assignment,
    Program,
    ProgressUpdate,
    Target,
    Task,
    UpdateFile,
    bucket_for,
)
from trienkhai.tasks.periods import periods_of
from trienkhai.tasks.rollup import Fact
from trienkhai.units.models import Unit

TASK_FIELDS = (
    "title",
    "description",
    "source_document",
    "clause",
    "kind",
    "due_date",
    "recurrence",
    "recurrence_day",
    "recurrence_month",
    "recurrence_start",
    "recurrence_end",
    "expected_output",
    "output_type",
    "is_public",
    "is_starred",
)
MAX_FILES = 10


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _today() -> dt.date:
    return timezone.localdate()


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _check_acts_for(by: Any, unit: Unit) -> None:
    if by is None:  # system jobs, commands and the demo
        return
    if not can_act_for_unit(by, unit):
        raise DomainError(
            _("You can only act for your own unit."), code="forbidden", field="issuer"
        )


# --- programs --------------------------------------------------------------------------------


@transaction.atomic
def program_create(*, owner: Unit, by: Any, name: str, **fields: Any) -> Program:
    """Register a program or project that tasks can serve."""
    _check_acts_for(by, owner)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Enter the program's name."), code="required", field="name")
    program = Program(owner=owner, name=name, **fields)
    if program.start_year and program.end_year and program.end_year < program.start_year:
        raise DomainError(
            _("The end year is before the start year."), code="years", field="end_year"
        )
    program.refresh_search_text()
    program._change_reason = "created"
    program.save()
    return program


# --- tasks -----------------------------------------------------------------------------------


def _validate_task(task: Task, by: Any) -> None:
    if not task.title.strip():
        raise DomainError(_("Enter the task's title."), code="required", field="title")
    if task.recurrence:
        if task.due_date is not None:
            raise DomainError(
                _("A recurring task has a deadline in each period, not one due date."),
                code="recurring_due",
                field="due_date",
            )
        if not task.recurrence_day:
            raise DomainError(
                _("Enter the day of the deadline in each period (1–31)."),
                code="required",
                field="recurrence_day",
            )
        if task.recurrence == Task.Recurrence.ANNUAL and not task.recurrence_month:
            raise DomainError(
                _("Enter the month of the annual deadline (1–12)."),
                code="required",
                field="recurrence_month",
            )
        if not 1 <= task.recurrence_day <= 31:
            raise DomainError(
                _("The day must be between 1 and 31."), code="range", field="recurrence_day"
            )
        if task.recurrence_month is not None and not 1 <= task.recurrence_month <= 12:
            raise DomainError(
                _("The month must be between 1 and 12."), code="range", field="recurrence_month"
            )
        if (
            task.recurrence_start
            and task.recurrence_end
            and task.recurrence_end < task.recurrence_start
        ):
            raise DomainError(
                _("The task stops recurring before it starts."),
                code="range",
                field="recurrence_end",
            )
    parent = task.parent_assignment
    if parent is not None:
        if parent.unit_id != task.issuer_id:
            raise DomainError(
                _("Only the unit that received an assignment can break it down."),
                code="not_assignee",
                field="parent_assignment",
            )
        if task.due_date and parent.due_date and task.due_date > parent.due_date:
            raise DomainError(
                _("The deadline is after the deadline of the assignment it breaks down (%(date)s).")
                % {"date": _fmt(parent.due_date)},
                code="after_parent",
                field="due_date",
            )
    doc = task.source_document
    if doc is not None and by is not None:
        from trienkhai.documents.selectors import documents_for_user

        if not documents_for_user(by).filter(pk=doc.pk).exists():
            raise DomainError(
                _("Choose a document you can see."), code="forbidden", field="source_document"
            )


def _check_programs(programs: Iterable[Program], by: Any) -> list[Program]:
    from trienkhai.tasks.selectors import programs_for_user

    programs = list(programs)
    if by is not None and programs:
        visible = set(
            programs_for_user(by).filter(pk__in=[p.pk for p in programs]).values_list("pk", flat=1)
        )
        if any(p.pk not in visible for p in programs):
            raise DomainError(
                _("Choose a program you can see."), code="forbidden", field="programs"
            )
    return programs


@transaction.atomic
def task_create(
    *,
    issuer: Unit,
    by: Any,
    title: str,
    parent_assignment: Assignment | None = None,
    programs: Iterable[Program] = (),
    **fields: Any,
) -> Task:
    """Create a task of ``issuer``; with ``parent_assignment`` it breaks that assignment down."""
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    _check_acts_for(by, issuer)
    task = Task(
        issuer=issuer,
        title=" ".join((title or "").split()),
        parent_assignment=parent_assignment,
        created_by=_user(by),
        **fields,
    )
    _validate_task(task, by)
    task.refresh_search_text()
    task._history_user = _user(by)
    task.save()
    progs = _check_programs(programs, by)
    if progs:
        task.programs.set(progs)
    return task


@transaction.atomic
def task_update(
    *, task: Task, by: Any, programs: Iterable[Program] | None = None, **fields
) -> Task:
    """Change a task's own fields; due dates of its open assignments follow a new due date."""
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    task = Task.objects.select_for_update().get(pk=task.pk)
    _check_acts_for(by, task.issuer)
    old_due = task.due_date
    changes_recurrence = "recurrence" in fields and fields["recurrence"] != task.recurrence
    if changes_recurrence and task.assignments.exists():
        raise DomainError(
            _("The recurrence cannot change once the task has been assigned."),
            code="recurrence_locked",
            field="recurrence",
        )
    for key, value in fields.items():
        setattr(task, key, value)
    _validate_task(task, by)
    task.refresh_search_text()
    task._history_user = _user(by)
    task.save()
    if programs is not None:
        task.programs.set(_check_programs(programs, by))
    if not task.recurrence and task.due_date != old_due:
        _move_due_dates(task, task.due_date)
    return task


def _move_due_dates(task: Task, due: dt.date | None) -> None:
    today = _today()
    changes, rows = [], []
    qs = task.assignments.active().filter(period="").select_related("unit")
    for a in qs.select_for_update(of=("self",)):
        old = Fact.of(a, a.unit.path)
        a.due_date = due
        a.bucket = bucket_for(a.state, a.due_date, a.completed_on, today)
        rows.append(a)
        changes.append((old, Fact.of(a, a.unit.path)))
    if rows:
        Assignment.objects.bulk_update(rows, ["due_date", "bucket"], batch_size=1000)
        Assignment.history.bulk_history_create(rows, update=True)
        rollup.record(changes)


# --- targeting -------------------------------------------------------------------------------


def _check_target_unit(task: Task, unit: Unit, field: str) -> None:
    if not unit.is_within(task.issuer):
        raise DomainError(
            _("%(unit)s is not under %(issuer)s: a task goes only to subordinate units.")
            % {"unit": unit.name, "issuer": task.issuer.name},
            code="outside",
            field=field,
        )


@transaction.atomic
def target_add(
    *,
    task: Task,
    by: Any,
    mode: str,
    units: Sequence[Unit] = (),
    under: Unit | None = None,
    kinds: Sequence[str] = (),
    depth: int | None = None,
    role: str = Target.Role.LEAD,
    report_to: Unit | None = None,
    today: dt.date | None = None,
) -> tuple[Target, int]:
    """Store who the task goes to and create their assignments; returns (target, created)."""
    task = Task.objects.select_related("issuer").get(pk=task.pk)
    _check_acts_for(by, task.issuer)
    if role not in Target.Role.values:
        raise DomainError(_("Choose lead or support."), code="invalid", field="role")
    if mode == Target.Mode.UNITS:
        units = list(units)
        if not units:
            raise DomainError(_("Choose at least one unit."), code="required", field="units")
        for unit in units:
            _check_target_unit(task, unit, "units")
        under, kinds, depth = None, [], None
    elif mode == Target.Mode.RULE:
        under = under or task.issuer
        _check_target_unit(task, under, "under")
        bad = [k for k in kinds if k not in Unit.Kind.values]
        if bad:
            raise DomainError(_("Unknown unit kind."), code="invalid", field="kinds")
        if depth is not None and not 1 <= depth <= 10:
            raise DomainError(
                _("Levels below must be between 1 and 10."), code="range", field="depth"
            )
    else:
        raise DomainError(_("Choose units or a rule."), code="invalid", field="mode")
    if report_to is not None:
        issuer = task.issuer
        upward = report_to.path in issuer.ancestor_paths() or report_to.pk == issuer.pk
        if not upward and by is not None and not can_read_unit(by, report_to):
            raise DomainError(_("Choose a unit you can see."), code="forbidden", field="report_to")
    target = Target(
        task=task,
        mode=mode,
        under=under,
        kinds=sorted(set(kinds)),
        depth=depth,
        role=role,
        report_to=report_to,
    )
    target._history_user = _user(by)
    target.save()
    if mode == Target.Mode.UNITS:
        target.units.set(units)
    created = target_apply(target=target, today=today, by=by)
    if created == 0 and mode == Target.Mode.RULE:
        matching = _rule_units(target, today or _today()).exists()
        if not matching:
            raise DomainError(
                _("No active unit matches this rule."), code="no_match", field="kinds"
            )
    return target, created


def _rule_units(target: Target, today: dt.date):
    qs = Unit.objects.subtree_of(target.under, include_self=False).active(today)
    if target.kinds:
        qs = qs.of_kind(*target.kinds)
    if target.depth:
        qs = qs.filter(depth=target.under.depth + target.depth)
    return qs


def target_units(target: Target, today: dt.date | None = None) -> list[Unit]:
    """The active units a target reaches today."""
    today = today or _today()
    if target.mode == Target.Mode.UNITS:
        return [u for u in target.units.all() if u.is_active(today)]
    return list(_rule_units(target, today).order_by())


def _periods(task: Task, today: dt.date) -> list[tuple[str, dt.date | None]]:
    if not task.recurrence:
        return [("", task.due_date)]
    start = task.recurrence_start or timezone.localtime(task.created).date()
    return [
        (p.label, p.due)
        for p in periods_of(
            recurrence=task.recurrence,
            day=task.recurrence_day or 1,
            month=task.recurrence_month,
            start=start,
            end=task.recurrence_end,
            until=today,
        )
    ]


@transaction.atomic
def target_apply(
    *, target: Target, today: dt.date | None = None, units=None, by: Any = None
) -> int:
    """Create the missing assignments of ``target`` (all its units, or ``units``); idempotent."""
    today = today or _today()
    task = target.task
    if units is not None:
        reach = [(u.pk, u.path) for u in units]
    elif target.mode == Target.Mode.RULE:
        # (pk, path) pairs: a rule may reach tens of thousands of units
        reach = list(_rule_units(target, today).order_by().values_list("pk", "path"))
    else:
        reach = [(u.pk, u.path) for u in target_units(target, today)]
    if not reach:
        return 0
    periods = _periods(task, today)
    report_to_id = target.report_to_id or task.issuer_id
    existing: set[tuple[int, str]] = set()
    if Assignment.objects.filter(task=task).exists():
        unit_ids = [pk for pk, _path in reach]
        for i in range(0, len(unit_ids), 2000):
            existing.update(
                Assignment.objects.filter(task=task, unit_id__in=unit_ids[i : i + 2000])
                .order_by()
                .values_list("unit_id", "period")
            )
    rows: list[dict] = []
    facts: list[tuple[None, Fact]] = []
    for unit_pk, unit_path in reach:
        for label, due in periods:
            if (unit_pk, label) in existing:
                continue
            bucket = bucket_for(Assignment.State.NOT_STARTED, due, None, today)
            rows.append(
                {
                    "task_id": task.pk,
                    "unit_id": unit_pk,
                    "unit_path": unit_path,
                    "target_id": target.pk,
                    "role": target.role,
                    "report_to_id": report_to_id,
                    "period": label,
                    "due_date": due,
                    "bucket": bucket,
                }
            )
            facts.append((None, Fact(unit_path, task.pk, bucket, False, due, None)))
    if not rows:
        return 0
    insert_assignments(rows, history_user_id=getattr(_user(by), "pk", None))
    rollup.record(facts, known={path: pk for pk, path in reach})
    return len(rows)


def recurring_topup(*, today: dt.date | None = None) -> int:
    """Create the assignments of recurring tasks whose new period has begun."""
    today = today or _today()
    created = 0
    targets = Target.objects.filter(task__recurrence__gt="").select_related("task", "under")
    for target in targets.filter(
        Q(task__recurrence_end__isnull=True) | Q(task__recurrence_end__gte=today)
    ):
        created += target_apply(target=target, today=today)
    return created


# --- tree changes ----------------------------------------------------------------------------


@transaction.atomic
def tree_changed(
    *,
    created: Sequence[Unit] = (),
    ended: Sequence[Unit] = (),
    scope: Unit | None = None,
    today: dt.date | None = None,
) -> None:
    """Keep the cascade true to a changed tree.

    New units get the assignments of every rule that reaches them; an ended unit's open
    assignments pass to its successor; the counters of ``scope`` (the subtree within which
    units moved) are recomputed, so nothing is counted twice or lost.
    """
    today = today or _today()
    for unit in ended:
        unit.refresh_from_db()
        if unit.successor_id:
            assignments_transfer(unit=unit, successor=unit.successor, today=today)
    if scope is not None:
        rollup.rebuild(scope)  # moved units' assignments take their new paths first
    if not (created or scope) or not Target.objects.filter(mode=Target.Mode.RULE).exists():
        return
    new_units = list(Unit.objects.filter(pk__in=[u.pk for u in created]))
    if scope is not None:
        # units that moved may now fall under rules they did not match before
        new_units += list(Unit.objects.subtree_of(scope).active(today))
    if not new_units:
        return
    paths = {p for u in new_units for p in u.ancestor_paths()}
    rules = Target.objects.filter(mode=Target.Mode.RULE, under__path__in=paths).select_related(
        "task", "under"
    )
    for target in rules:
        task = target.task
        if not task.recurrence and task.due_date and task.due_date < today:
            continue  # a new unit does not inherit work whose deadline has passed
        matching = [
            u
            for u in new_units
            if u.is_within(target.under)
            and u.pk != target.under_id
            and u.is_active(today)
            and (not target.kinds or u.kind in target.kinds)
            and (not target.depth or u.depth == target.under.depth + target.depth)
        ]
        if matching:
            target_apply(target=target, today=today, units=matching)


def assignments_transfer(*, unit: Unit, successor: Unit, today: dt.date | None = None) -> int:
    """Pass ``unit``'s open assignments to ``successor`` (history keeps who had them)."""
    today = today or _today()
    moved = 0
    succ_path = Unit.objects.get(pk=successor.pk).path
    qs = Assignment.objects.open().filter(unit=unit).select_related("unit")
    for a in qs.select_for_update(of=("self",)):
        old = Fact.of(a, a.unit.path)
        twin = (
            Assignment.objects.active()
            .filter(task_id=a.task_id, unit=successor, period=a.period)
            .first()
        )
        if twin is not None:
            a.transferred_to = twin
            a._change_reason = "transferred to successor's own assignment"
            a.save(update_fields=["transferred_to"])
            rollup.record([(old, None)])
        else:
            a.unit = successor
            a.unit_path = succ_path
            a._change_reason = f"passed to successor {successor.name}"
            a.save(update_fields=["unit", "unit_path"])
            rollup.record([(old, Fact.of(a, succ_path))])
        moved += 1
    return moved


# --- progress --------------------------------------------------------------------------------


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("unit", "task")
        .get(pk=assignment.pk)
    )


def _check_version(a: Assignment, version: int | None) -> None:
    if version is not None and a.version != version:
        raise DomainError(
            _(
                "Someone else updated this assignment while you were writing. Your text is"
                " kept below: check the latest progress and send again."
            ),
            code="stale",
            field="version",
        )


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    by: Any,
    text: str,
    progress: int,
    reason: str = "",
    completed: bool = False,
    completed_on: dt.date | None = None,
    output_document: Document | None = None,
    files: Sequence[Any] = (),
    version: int | None = None,
    today: dt.date | None = None,
) -> ProgressUpdate:
    """Record progress on an assignment (and complete it when ``completed``)."""
    today = today or _today()
    a = _locked(assignment)
    _check_acts_for(by, a.unit)
    if not a.is_active:
        raise DomainError(
            _("This assignment passed to another unit."), code="transferred", field="text"
        )
    _check_version(a, version)
    if a.is_done:
        raise DomainError(
            _("This assignment is already done."), code="already_done", field="completed"
        )
    text = (text or "").strip()
    reason = (reason or "").strip()
    if not text:
        raise DomainError(_("Say briefly what was done."), code="required", field="text")
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        raise DomainError(
            _("Enter a whole number from 0 to 100."), code="invalid", field="progress"
        )
    if not 0 <= progress <= 100:
        raise DomainError(
            _("Progress is a percentage from 0 to 100."), code="range", field="progress"
        )
    if len(files) > MAX_FILES:
        raise DomainError(
            _("Attach at most %(n)s files.") % {"n": MAX_FILES}, code="too_many", field="files"
        )
    if completed:
        completed_on = completed_on or today
        if completed_on > today:
            raise DomainError(
                _("The completion date cannot be in the future."),
                code="future",
                field="completed_on",
            )
        progress = 100
    state = Assignment.State.DONE if completed else Assignment.State.IN_PROGRESS
    new_bucket = bucket_for(state, a.due_date, completed_on if completed else None, today)
    if new_bucket in (Assignment.Bucket.OVERDUE, Assignment.Bucket.DONE_LATE) and not (
        reason or a.reason
    ):
        raise DomainError(
            _("The deadline (%(date)s) has passed: give the reason for the delay.")
            % {"date": _fmt(a.due_date)},
            code="reason_required",
            field="reason",
        )
    if output_document is not None:
        _check_output(a, output_document, by)
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload)))
        except UploadRefused as exc:
            raise DomainError(str(exc), code="upload", field="files") from exc

    old = Fact.of(a, a.unit.path)
    update = ProgressUpdate.objects.create(
        assignment=a, text=text, progress=progress, reason=reason, completed=completed, by=_user(by)
    )
    for upload, info in checked:
        _store_evidence(update, upload, info)
    a.progress = progress
    a.state = state
    if completed:
        a.completed_on = completed_on
    if reason:
        a.reason = reason
    if output_document is not None:
        a.output_document = output_document
    a.bucket = new_bucket
    a.last_update = timezone.now()
    a.version += 1
    a._history_user = _user(by)
    a.save()
    rollup.record([(old, Fact.of(a, a.unit.path))])
    return update


def _store_evidence(update: ProgressUpdate, upload: Any, info: Any) -> UpdateFile:
    import secrets

    from django.core.files.base import File

    upload.seek(0)
    record = UpdateFile(
        update=update,
        original_name=info.name,
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
    )
    # The client's name is never used on disk (as for document files).
    record.file.save(f"{secrets.token_hex(16)}.{info.ext}", File(upload), save=False)
    record.save()
    return record


def _check_output(a: Assignment, document: Document, by: Any) -> None:
    if document.owner_id != a.unit_id and document.issuer_unit_id != a.unit_id:
        raise DomainError(
            _("The output must be a document of %(unit)s.") % {"unit": a.unit.name},
            code="not_own_document",
            field="output_document",
        )
    wanted = a.task.output_type
    if wanted and document.type_code.upper() != wanted.upper():
        raise DomainError(
            _("This task expects a document of type %(type)s; %(symbol)s is a %(got)s.")
            % {"type": wanted, "symbol": document.symbol or document, "got": document.type_code},
            code="wrong_type",
            field="output_document",
        )


@transaction.atomic
def assignment_complete(
    *,
    assignment: Assignment,
    by: Any,
    output_document: Document | None = None,
    text: str = "",
    reason: str = "",
    completed_on: dt.date | None = None,
    version: int | None = None,
    today: dt.date | None = None,
) -> ProgressUpdate:
    """Mark an assignment done, optionally with the unit's own document as its output.

    A plan task's output is the unit's KH: its issue date is the completion date.
    """
    if output_document is not None and completed_on is None:
        completed_on = output_document.issue_date
    if not text:
        text = (
            _("Issued %(doc)s.") % {"doc": output_document.label}
            if output_document is not None
            else _("Completed.")
        )
    return assignment_update(
        assignment=assignment,
        by=by,
        text=text,
        progress=100,
        reason=reason,
        completed=True,
        completed_on=completed_on,
        output_document=output_document,
        version=version,
        today=today,
    )


@transaction.atomic
def assignment_reopen(*, assignment: Assignment, by: Any, reason: str) -> Assignment:
    """The issuer reopens a done assignment (e.g. the plan must be redone), with a reason."""
    a = _locked(assignment)
    if by is not None and not (
        sees_everything(by) or can_act_for_unit(by, Unit.objects.get(pk=a.task.issuer_id))
    ):
        raise DomainError(
            _("Only the issuing unit can reopen an assignment."), code="forbidden", field="reason"
        )
    if not a.is_done:
        raise DomainError(_("This assignment is not done."), code="not_done", field="reason")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for reopening."), code="required", field="reason")
    old = Fact.of(a, a.unit.path)
    a.state = Assignment.State.IN_PROGRESS
    a.completed_on = None
    a.bucket = bucket_for(a.state, a.due_date, None, _today())
    a.version += 1
    a._history_user = _user(by)
    a._change_reason = reason.strip()[:100]
    a.save()
    rollup.record([(old, Fact.of(a, a.unit.path))])
    return a


@transaction.atomic
def assignment_set_programs(
    *, assignment: Assignment, by: Any, programs: Iterable[Program]
) -> None:
    """Link an assignment to the programs it also serves."""
    a = _locked(assignment)
    _check_acts_for(by, a.unit)
    a.programs.set(_check_programs(programs, by))


# --- time ------------------------------------------------------------------------------------


def assignments_sweep(*, today: dt.date | None = None, batch: int = 5000) -> int:
    """Move open assignments whose deadline has passed into "overdue" (with their counters).

    Rows are locked before they move: a second sweep running at once waits, then finds them
    no longer stale (PostgreSQL re-checks the condition), so nothing is counted twice.
    """
    today = today or _today()
    stale = (Assignment.Bucket.NOT_STARTED, Assignment.Bucket.IN_PROGRESS)
    moved = 0
    while True:
        with transaction.atomic():
            rows = list(
                Assignment.objects.filter(bucket__in=stale, due_date__lt=today)
                .active()
                .order_by()
                .select_for_update(of=("self",))
                .values_list("pk", "bucket", "task_id", "last_update", "due_date", "unit_path")[
                    :batch
                ]
            )
            if not rows:
                return moved
            Assignment.objects.filter(pk__in=[r[0] for r in rows]).update(
                bucket=Assignment.Bucket.OVERDUE
            )
            changes = []
            for _pk, bucket, task_id, last_update, due, path in rows:
                old = Fact(path, task_id, bucket, last_update is not None, due, None)
                changes.append((old, Fact(path, task_id, "overdue", old.updated, due, None)))
            rollup.record(changes)
            moved += len(changes)


def safe_create(fn, *args, **kwargs):
    """Run ``fn`` turning a unique-constraint race into a domain error."""
    try:
        with transaction.atomic():
            return fn(*args, **kwargs)
    except IntegrityError as exc:
        raise DomainError(
            _("This was just changed by someone else; try again."), code="race"
        ) from exc

"""Pages of the cascade: tasks, targeting, assignments, updates, programs.

Every object comes through the scoping selectors (404 outside the user's reach); filters and
sorting come from allow-lists; lists are paginated and their counts aggregated in SQL.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import memberships_of
from trienkhai.core.errors import DomainError
from trienkhai.documents.downloads import (
    FileDamaged,
    damaged_page,
    open_verified,
    private_download,
)
from trienkhai.documents.history import Change, Entry
from trienkhai.documents.selectors import documents_for_user
from trienkhai.tasks import forms as f
from trienkhai.tasks.exports import row as export_row
from trienkhai.tasks.models import Assignment, Target, Task, UpdateFile
from trienkhai.tasks.selectors import (
    acting_units,
    assignments_for_user,
    can_manage_task,
    can_update_assignment,
    get_assignment_for_user,
    get_program_for_user,
    get_task_for_user,
    programs_for_user,
    tasks_for_user,
)
from trienkhai.tasks.services import (
    assignment_reopen,
    assignment_set_programs,
    assignment_update,
    program_create,
    target_add,
    task_create,
    task_update,
)
from trienkhai.units.models import Unit

log = logging.getLogger(__name__)

TASKS_PER_PAGE = 25
ROWS_PER_PAGE = 50
PROGRAMS_PER_PAGE = 25
UPDATES_PER_PAGE = 20
UNIT_MATCHES = 20
PLAN_ROWS_PER_PAGE = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DONE = Assignment.State.DONE


def _today() -> dt.date:
    return timezone.localdate()


def _fmt(day: dt.date | None) -> str:
    return date_format(day, "d/m/Y") if day else "—"


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """(label, url) pairs after "Home"; the last one is the current page."""
    return [(_("Home"), reverse("core:home")), *items]


def _tasks_crumb() -> tuple[str, str]:
    return (_("Tasks"), reverse("tasks:list"))


# --- status ----------------------------------------------------------------------------------


def _mark(assignments, today: dt.date) -> list[Assignment]:
    """Give each assignment its status today (``live``) and its days late (``late``)."""
    rows = list(assignments)
    for a in rows:
        a.live = a.bucket_on(today)
        if a.live == Assignment.Bucket.DONE_LATE and a.completed_on and a.due_date:
            a.late = (a.completed_on - a.due_date).days
        else:
            a.late = a.days_overdue(today)
    return rows


@dataclass
class TaskCounts:
    total: int = 0
    within: int = 0
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late


def _status_counts(qs, today: dt.date, by: str | None = None):
    """Status counts of the assignments in ``qs`` (by ``by`` when given), in one query."""
    open_ = ~Q(state=DONE)
    aggregates = {
        "total": Count("pk"),
        "done_on_time": Count("pk", filter=Q(state=DONE, bucket=Assignment.Bucket.DONE_ON_TIME)),
        "done_late": Count("pk", filter=Q(state=DONE, bucket=Assignment.Bucket.DONE_LATE)),
        "overdue": Count("pk", filter=open_ & Q(due_date__lt=today)),
    }

    def counts(row: dict) -> TaskCounts:
        c = TaskCounts(**{k: row[k] or 0 for k in aggregates})
        c.within = c.total - c.done_on_time - c.done_late - c.overdue
        return c

    qs = qs.active().order_by()
    if by is None:
        return counts(qs.aggregate(**aggregates))
    return {row[by]: counts(row) for row in qs.values(by).annotate(**aggregates)}


def _task_counts(user: Any, task_ids: list[int], today: dt.date) -> dict[int, TaskCounts]:
    if not task_ids:
        return {}
    qs = assignments_for_user(user).filter(task_id__in=task_ids)
    return _status_counts(qs, today, by="task_id")


def _live_bucket(today: dt.date) -> Case:
    """The status as of today, in SQL (the stored bucket may wait for the nightly sweep)."""
    return Case(
        When(state=DONE, then=F("bucket")),
        When(due_date__lt=today, then=Value(Assignment.Bucket.OVERDUE)),
        default=F("bucket"),
        output_field=CharField(),
    )


STATUS_ORDER = Case(
    When(live="overdue", then=Value(0)),
    When(live="not_started", then=Value(1)),
    When(live="in_progress", then=Value(2)),
    When(live="done_late", then=Value(3)),
    default=Value(4),
)


def _describe_recurrence(task: Task) -> str:
    if not task.recurrence:
        return ""
    day = task.recurrence_day or 1
    if task.recurrence == Task.Recurrence.ANNUAL:
        text = _("Annual, by %(day)02d/%(month)02d") % {
            "day": day,
            "month": task.recurrence_month or 12,
        }
    else:
        text = _("%(recurrence)s, by day %(day)s of the period's last month") % {
            "recurrence": task.get_recurrence_display(),
            "day": day,
        }
    if task.recurrence_end:
        text += " " + _("until %(date)s") % {"date": _fmt(task.recurrence_end)}
    return text


# --- rules in words --------------------------------------------------------------------------

KIND_PLURALS = {
    Unit.Kind.PARTY_COMMITTEE: pgettext_lazy("units in a rule", "party committees"),
    Unit.Kind.PARTY_DELEGATION: pgettext_lazy("units in a rule", "party delegations"),
    Unit.Kind.CADRE_COMMITTEE: pgettext_lazy("units in a rule", "party cadre committees"),
    Unit.Kind.PEOPLES_COMMITTEE: pgettext_lazy("units in a rule", "People's Committees"),
    Unit.Kind.PEOPLES_COUNCIL: pgettext_lazy("units in a rule", "People's Councils"),
    Unit.Kind.FATHERLAND_FRONT: pgettext_lazy("units in a rule", "Fatherland Front committees"),
    Unit.Kind.MASS_ORGANIZATION: pgettext_lazy("units in a rule", "mass organizations"),
    Unit.Kind.ADVISORY_BOARD: pgettext_lazy("units in a rule", "advisory boards"),
    Unit.Kind.DEPARTMENT: pgettext_lazy("units in a rule", "departments"),
    Unit.Kind.GRASSROOTS: pgettext_lazy("units in a rule", "grassroots party organizations"),
    Unit.Kind.EXTERNAL: pgettext_lazy("units in a rule", "external bodies"),
}
TARGET_UNITS_SHOWN = 10


def describe_target(target: Target, units: list[Unit] | None = None) -> str:
    """A target in words, e.g. "All party committees directly under Thành ủy"."""
    if target.mode == Target.Mode.UNITS:
        units = units or []
        names = ", ".join(u.short_name or u.name for u in units[:TARGET_UNITS_SHOWN])
        if len(units) > TARGET_UNITS_SHOWN:
            names += " " + _("and %(n)s more") % {"n": len(units) - TARGET_UNITS_SHOWN}
        return _("Chosen units: %(units)s") % {"units": names or "—"}
    kinds = [str(KIND_PLURALS.get(k, k)) for k in target.kinds]
    what = ", ".join(kinds) if kinds else str(pgettext("units in a rule", "units"))
    under = target.under.short_name or target.under.name if target.under else "—"
    if target.depth == 1:
        text = _("All %(kinds)s directly under %(unit)s")
    elif target.depth:
        text = _("All %(kinds)s %(depth)s levels below %(unit)s")
    else:
        text = _("All %(kinds)s under %(unit)s, at every level")
    return text % {"kinds": what, "unit": under, "depth": target.depth}


@dataclass
class TargetRow:
    target: Target
    text: str
    assignments: int


def _target_rows(task: Task) -> list[TargetRow]:
    targets = list(
        task.targets.select_related("under", "report_to")
        .prefetch_related("units")
        .annotate(n=Count("assignments"))
        .order_by("created", "pk")
    )
    return [TargetRow(t, describe_target(t, list(t.units.all())), t.n) for t in targets]


# --- the cascade upward ----------------------------------------------------------------------


def _cascade_up(user: Any, task: Task) -> list[tuple[Task, Assignment]]:
    """The assignments this task breaks down, up to the top, that the user may see."""
    chain: list[tuple[Task, Assignment]] = []
    seen = {task.pk}
    parent_id = task.parent_assignment_id
    visible_a = assignments_for_user(user)
    visible_t = tasks_for_user(user)
    while parent_id and len(chain) < 12:
        a = visible_a.select_related("task", "unit").filter(pk=parent_id).first()
        if a is None or a.task_id in seen or not visible_t.filter(pk=a.task_id).exists():
            break
        chain.append((a.task, a))
        seen.add(a.task_id)
        parent_id = a.task.parent_assignment_id
    chain.reverse()
    return chain


def _task_crumbs(user: Any, task: Task, *tail: tuple[str, str | None]):
    """Home › Tasks › (the tasks and assignments above, up the cascade) › task › ``tail``."""
    items: list[tuple[str, str | None]] = [_tasks_crumb()]
    for up_task, up_a in _cascade_up(user, task):
        items.append((_short(up_task.title), reverse("tasks:detail", args=[up_task.pk])))
        items.append((_unit_name(up_a.unit), _assignment_url(up_a)))
    items.append((_short(task.title), reverse("tasks:detail", args=[task.pk]) if tail else None))
    return _crumbs(*items, *tail)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unit_name(unit: Unit) -> str:
    return unit.short_name or unit.name


def _assignment_url(a: Assignment) -> str:
    return reverse("tasks:assignment", args=[a.pk])


# --- history ---------------------------------------------------------------------------------

_HIDDEN_HISTORY = {"id", "created", "created_by", "search_text", "parent_assignment"}


def _task_history(task: Task, user: Any, limit: int = 20) -> list[Entry]:
    """The latest changes of a task, newest first, in the shape documents use."""
    records = list(task.history.select_related("history_user").order_by("-history_id")[: limit + 1])
    actions = {
        "+": pgettext("history", "Created"),
        "~": pgettext("history", "Changed"),
        "-": pgettext("history", "Deleted"),
    }
    deltas = [
        newer.diff_against(older) if older is not None else None
        for newer, older in zip(records, [*records[1:], None], strict=True)
    ]
    doc_ids: set[int] = set()
    program_ids: set[int] = set()
    for delta in deltas:
        for change in delta.changes if delta else ():
            if change.field == "source_document":
                doc_ids.update(v for v in (change.old, change.new) if v)
            elif change.field == "programs":
                for row in [*(change.old or []), *(change.new or [])]:
                    program_ids.add(row.get("program"))
    docs = {d.pk: d.label for d in documents_for_user(user).filter(pk__in=doc_ids)}
    programs = {p.pk: p.name for p in programs_for_user(user).filter(pk__in=program_ids - {None})}
    entries = []
    for record, delta in list(zip(records, deltas, strict=True))[:limit]:
        who = record.history_user
        entry = Entry(
            when=record.history_date,
            who=str(who) if who else _("system"),
            action=actions.get(record.history_type, record.history_type),
        )
        for change in delta.changes if delta else ():
            if change.field in _HIDDEN_HISTORY:
                continue
            entry.changes.append(_describe_change(change, docs, programs))
        entries.append(entry)
    return [e for e in entries if e.changes or e.action != actions["~"]]


def _describe_change(change, docs: dict, programs: dict) -> Change:
    name = change.field
    try:
        label = str(Task._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        label = name

    def show(value: Any) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, dt.date):
            return _fmt(value)
        if name == "source_document":
            return docs.get(value, "—")
        if name == "kind":
            return str(dict(Task.Kind.choices).get(value, value))
        if name == "recurrence":
            return str(dict(Task.Recurrence.choices).get(value, value))
        text = " ".join(str(value).split())
        return text if len(text) <= 120 else text[:119] + "…"

    if name == "programs":
        old = {r.get("program") for r in change.old or []}
        new = {r.get("program") for r in change.new or []}
        removed = ", ".join(programs.get(pk, "…") for pk in old - new) or "—"
        added = ", ".join(programs.get(pk, "…") for pk in new - old) or "—"
        return Change(label, removed, added)
    return Change(label, show(change.old), show(change.new))


# --- task list -------------------------------------------------------------------------------


@login_required
@require_safe
def task_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    my_units = [m.unit for m in memberships_of(user)]
    form = f.TaskFilterForm(request.GET, my_units=my_units)
    visible = tasks_for_user(user)
    qs = form.filter(visible.select_related("issuer"))
    page = Paginator(qs, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    today = _today()
    counts = _task_counts(user, [t.pk for t in page.object_list], today)
    for task in page.object_list:
        task.counts = counts.get(task.pk, TaskCounts())
        task.recurrence_text = _describe_recurrence(task)
    document = None
    doc_id = form.cleaned_data.get("document") if hasattr(form, "cleaned_data") else None
    if doc_id:
        document = documents_for_user(user).filter(pk=doc_id).first()
    return render(
        request,
        "tasks/list.html",
        {
            "form": form,
            "page": page,
            "filtered": form.active,
            "document": document,
            "can_create": bool(acting_units(user)),
            "crumbs": _crumbs((_("Tasks"), None)),
        },
    )


# --- task create / edit ----------------------------------------------------------------------


def _parent_from(request: HttpRequest) -> Assignment | None:
    raw = request.POST.get("parent") if request.method == "POST" else request.GET.get("parent")
    if not raw:
        return None
    return get_assignment_for_user(request.user, raw, write=True)


@login_required
@require_http_methods(["GET", "POST"])
def task_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    issuers = acting_units(user)
    if not issuers:
        raise Http404
    parent = _parent_from(request)
    initial: dict[str, Any] = {}
    if parent is not None:
        initial = {
            "kind": parent.task.kind,
            "due_date": parent.due_date,
            "source_document": parent.task.source_document_id,
            "output_type": parent.task.output_type,
        }
    form = f.TaskForm(
        request.POST or None, user=user, issuers=issuers, parent=parent, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        issuer = parent.unit if parent is not None else data["issuer"]
        try:
            task = task_create(
                issuer=issuer,
                by=user,
                parent_assignment=parent,
                programs=data["programs"],
                **form.task_fields(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, _("The task has been created. Now choose the units that carry it out.")
            )
            return redirect("tasks:targets", task.pk)
    if parent is not None:
        crumbs = _task_crumbs(
            user,
            parent.task,
            (_unit_name(parent.unit), _assignment_url(parent)),
            (_("Break down"), None),
        )
    else:
        crumbs = _crumbs(_tasks_crumb(), (_("New task"), None))
    return render(
        request, "tasks/task_form.html", {"form": form, "parent": parent, "crumbs": crumbs}
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    task = get_task_for_user(user, pk, manage=True)
    initial = {
        key: getattr(task, key)
        for key in (
            "title",
            "description",
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
    }
    initial["source_document"] = task.source_document_id
    initial["programs"] = list(task.programs.values_list("pk", flat=True))
    form = f.TaskForm(request.POST or None, user=user, issuers=[], task=task, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task_update(
                task=task, by=user, programs=form.cleaned_data["programs"], **form.task_fields()
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The task has been saved."))
            return redirect("tasks:detail", task.pk)
    return render(
        request,
        "tasks/task_form.html",
        {"form": form, "task": task, "crumbs": _task_crumbs(user, task, (_("Edit"), None))},
    )


# --- task detail -----------------------------------------------------------------------------

ASSIGNMENT_SORTS = {
    "unit": ("unit__path", "period", "pk"),
    "due": ("due_date", "unit__path", "pk"),
    "status": ("status_rank", "due_date", "unit__path", "pk"),
}


@login_required
@require_safe
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    task = get_task_for_user(user, pk)
    today = _today()
    filters = f.TaskAssignmentFilterForm(request.GET)
    status, sort = filters.values()
    visible = assignments_for_user(user).active().filter(task=task)
    rows = (
        f.filter_status(visible, status, today)
        .select_related("unit", "report_to")
        .annotate(live=_live_bucket(today))
        .annotate(status_rank=STATUS_ORDER)
        .order_by(*ASSIGNMENT_SORTS[sort])
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    _mark(page.object_list, today)
    source = None
    if task.source_document_id:
        source = documents_for_user(user).filter(pk=task.source_document_id).first()
    parent = None
    if task.parent_assignment_id:
        parent = (
            assignments_for_user(user)
            .select_related("unit", "task")
            .filter(pk=task.parent_assignment_id)
            .first()
        )
    return render(
        request,
        "tasks/detail.html",
        {
            "task": task,
            "source": source,
            "parent": parent,
            "recurrence_text": _describe_recurrence(task),
            "programs": programs_for_user(user).filter(tasks=task).order_by("name"),
            "targets": _target_rows(task),
            "counts": _status_counts(visible, today),
            "filters": filters,
            "filtered": bool(status),
            "page": page,
            "history": _task_history(task, user),
            "can_manage": can_manage_task(user, task),
            "crumbs": _task_crumbs(user, task),
        },
    )


# --- targets ---------------------------------------------------------------------------------


def _report_choices(task: Task):
    """Who assignments may report to: the issuer, the units above it, its direct subordinates."""
    issuer = task.issuer
    return (
        Unit.objects.ancestors_of(issuer, include_self=True) | Unit.objects.children_of(issuer)
    ).order_by("path")


def _unit_choices(request: HttpRequest, task: Task, children: set[int]) -> dict:
    """Units already ticked (kept across searches) and the units matching the search box."""
    source = request.POST if request.method == "POST" else request.GET
    subtree = Unit.objects.subtree_of(task.issuer, include_self=False)
    ticked = [int(v) for v in source.getlist("u-units") if v.isdigit()][:500]
    chosen = list(subtree.filter(pk__in=ticked).order_by("path")) if ticked else []
    query = " ".join(request.GET.get("q", "").split())[:100]
    matches = []
    if query:
        found = subtree.search(query).order_by("depth", "search_text", "pk")[:UNIT_MATCHES]
        matches = [u for u in found if u.pk not in ticked]
    shown = [u for u in chosen if u.pk not in children] + [
        u for u in matches if u.pk not in children
    ]
    # Many wards have a "Chi bộ khu phố 1": say whose it is.
    parents = {u.path: u for u in Unit.objects.parents_of_many(shown)} if shown else {}
    for u in shown:
        parent = parents.get(u.parent_path)
        u.parent_name = parent.short_name or parent.name if parent else ""
    return {
        "chosen": [u for u in chosen if u.pk not in children],
        "chosen_ids": set(ticked),
        "matches": [u for u in matches if u.pk not in children],
        "query": query,
    }


@login_required
@require_http_methods(["GET", "POST"])
def task_targets(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    task = get_task_for_user(user, pk, manage=True)
    report_choices = _report_choices(task)
    mode = request.POST.get("mode") if request.method == "POST" else None
    units_form = f.TargetUnitsForm(
        request.POST if mode == Target.Mode.UNITS else None,
        task=task,
        report_choices=report_choices,
        prefix="u",
    )
    rule_form = f.TargetRuleForm(
        request.POST if mode == Target.Mode.RULE else None,
        task=task,
        report_choices=report_choices,
        prefix="r",
    )
    form = {Target.Mode.UNITS: units_form, Target.Mode.RULE: rule_form}.get(mode)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            _target, created = target_add(
                task=task,
                by=user,
                mode=mode,
                units=data.get("units") or (),
                under=data.get("under"),
                kinds=data.get("kinds") or (),
                depth=data.get("depth"),
                role=data["role"],
                report_to=data.get("report_to"),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if created:
                text = ngettext(
                    "%(n)s assignment has been created.",
                    "%(n)s assignments have been created.",
                    created,
                ) % {"n": created}
            else:
                text = _("No new assignment: every unit it reaches already has this task.")
            messages.success(request, text)
            return redirect("tasks:targets", task.pk)
    children = list(Unit.objects.children_of(task.issuer).active(_today()).order_by("path"))
    return render(
        request,
        "tasks/targets.html",
        {
            "task": task,
            "targets": _target_rows(task),
            "units_form": units_form,
            "rule_form": rule_form,
            "children": children,
            **_unit_choices(request, task, {c.pk for c in children}),
            "total": task.assignments.active().count(),
            "crumbs": _task_crumbs(user, task, (_("Units carrying it out"), None)),
        },
    )


@login_required
@require_safe
def target_unit_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx autocomplete of the targets page: units of the issuer's subtree."""
    task = get_task_for_user(request.user, pk, manage=True)
    if not request.htmx:
        url = reverse("tasks:targets", args=[task.pk])
        return redirect(f"{url}?{request.GET.urlencode()}#units")
    children = set(Unit.objects.children_of(task.issuer).values_list("pk", flat=True))
    return render(request, "tasks/_unit_matches.html", _unit_choices(request, task, children))


# --- the cascade as a tree -------------------------------------------------------------------


def _tree_rows(user: Any, task_ids: list[int], today: dt.date, per_task: int, offset: int = 0):
    """Up to ``per_task`` visible assignments of each task (one query), with whether each
    has a breakdown the user can see, and the number of visible assignments per task."""
    visible = assignments_for_user(user).active().filter(task_id__in=task_ids)
    totals = dict(
        visible.order_by().values("task_id").annotate(n=Count("pk")).values_list("task_id", "n")
    )
    subtasks = tasks_for_user(user).filter(parent_assignment=OuterRef("pk"))
    ranked = (
        visible.select_related("unit")
        .annotate(
            has_subtasks=Exists(subtasks),
            rank=Window(
                RowNumber(),
                partition_by=[F("task_id")],
                order_by=[F("unit__path").asc(), F("period").asc(), F("pk").asc()],
            ),
        )
        .filter(rank__gt=offset, rank__lte=offset + per_task)
        .order_by("task_id", "rank")
    )
    rows: dict[int, list[Assignment]] = defaultdict(list)
    for a in _mark(ranked, today):
        rows[a.task_id].append(a)
    return rows, totals


@dataclass
class Level:
    """One task's assignments in the tree, a page at a time."""

    task: Task
    rows: list[Assignment]
    total: int
    page: int
    more_url: str | None = None
    counts: TaskCounts = field(default_factory=TaskCounts)


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def _level(user: Any, task: Task, today: dt.date, page: int) -> Level:
    rows, totals = _tree_rows(user, [task.pk], today, ROWS_PER_PAGE, (page - 1) * ROWS_PER_PAGE)
    level = Level(task, rows.get(task.pk, []), totals.get(task.pk, 0), page)
    if level.total > page * ROWS_PER_PAGE:
        level.more_url = f"{reverse('tasks:tree', args=[task.pk])}?page={page + 1}"
    return level


@login_required
@require_safe
def task_tree(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    task = get_task_for_user(user, pk)
    page = _page_number(request.GET.get("page"))
    level = _level(user, task, _today(), page)
    if request.htmx and page > 1:
        return render(request, "tasks/_tree_rows.html", {"level": level})
    return render(
        request,
        "tasks/tree.html",
        {
            "task": task,
            "level": level,
            "crumbs": _task_crumbs(user, task, (_("Cascade tree"), None)),
        },
    )


@login_required
@require_safe
def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The breakdown of one assignment: its subtasks and their assignments."""
    user = request.user
    assignment = get_assignment_for_user(user, pk)
    today = _today()
    subtasks = list(
        tasks_for_user(user)
        .filter(parent_assignment=assignment)
        .select_related("issuer")
        .order_by("created", "pk")[:ROWS_PER_PAGE]
    )
    rows, totals = _tree_rows(user, [t.pk for t in subtasks], today, ROWS_PER_PAGE)
    levels = []
    for sub in subtasks:
        level = Level(sub, rows.get(sub.pk, []), totals.get(sub.pk, 0), 1)
        if level.total > ROWS_PER_PAGE:
            level.more_url = f"{reverse('tasks:tree', args=[sub.pk])}?page=2"
        levels.append(level)
    context = {"assignment": assignment, "levels": levels}
    if request.htmx:
        return render(request, "tasks/_tree_children.html", context)
    context["crumbs"] = _task_crumbs(
        user,
        assignment.task,
        (_("Cascade tree"), reverse("tasks:tree", args=[assignment.task_id])),
        (_("Breakdown by %(unit)s") % {"unit": _unit_name(assignment.unit)}, None),
    )
    return render(request, "tasks/tree_children.html", context)


# --- plan tracker ----------------------------------------------------------------------------


@dataclass
class PlanRow:
    assignment: Assignment
    document: Any  # the output document, when the user may see it
    state: str  # on_time / late / not_yet
    days_late: int


def _plan_rows(user: Any, assignments, today: dt.date) -> list[PlanRow]:
    rows = _mark(assignments, today)
    doc_ids = {a.output_document_id for a in rows if a.output_document_id}
    visible = (
        set(documents_for_user(user).filter(pk__in=doc_ids).values_list("pk", flat=True))
        if doc_ids
        else set()
    )
    out = []
    for a in rows:
        doc = a.output_document if a.output_document_id in visible else None
        if a.live == Assignment.Bucket.DONE_ON_TIME:
            state = "on_time"
        elif a.live == Assignment.Bucket.DONE_LATE:
            state = "late"
        else:
            state = "not_yet"
        out.append(PlanRow(a, doc, state, a.late))
    return out


def _plan_queryset(user: Any, task: Task):
    return (
        assignments_for_user(user)
        .active()
        .filter(task=task)
        .select_related("unit", "output_document")
        .order_by("unit__path", "period", "pk")
    )


def _plan_task(user: Any, pk: int) -> Task:
    task = get_task_for_user(user, pk)
    if task.kind != Task.Kind.PLAN:
        raise Http404
    return task


@login_required
@require_safe
def plan_tracker(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    task = _plan_task(user, pk)
    today = _today()
    qs = _plan_queryset(user, task)
    page = Paginator(qs, PLAN_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/plans.html",
        {
            "task": task,
            "page": page,
            "rows": _plan_rows(user, page.object_list, today),
            "counts": _status_counts(qs, today),
            "crumbs": _task_crumbs(user, task, (_("Plan tracker"), None)),
        },
    )


@login_required
@require_safe
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    import openpyxl

    user = request.user
    task = _plan_task(user, pk)
    today = _today()
    audit(AuditEvent.Kind.EXPORT, request=request, task=task.pk, format="xlsx")
    states = {"on_time": _("Issued on time"), "late": _("Issued late"), "not_yet": _("Not yet")}
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Plans")[:31])
    export_row(sheet, [task.title], bold=True)
    sheet.append([_("As of %(date)s") % {"date": _fmt(today)}])
    header = [
        _("No."),
        _("Unit"),
        _("Due date"),
        _("Plan (number and symbol)"),
        _("Issue date"),
        _("Status"),
        _("Days late"),
    ]
    sheet.append(header)
    n = 0
    # Chunks keep memory flat on a City-wide task.
    qs = _plan_queryset(user, task)
    for start in range(0, qs.count(), 1000):
        for row in _plan_rows(user, qs[start : start + 1000], today):
            n += 1
            a, doc = row.assignment, row.document
            # names and symbols come from users: never written as formulas; dates formatted
            export_row(
                sheet,
                [
                    n,
                    a.unit.name,
                    a.due_date,
                    doc.symbol if doc else "",
                    doc.issue_date if doc else None,
                    str(states[row.state]),
                    row.days_late or None,
                ],
            )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"plans-task-{task.pk}.xlsx", content_type=XLSX_TYPE
    )


# --- my work ---------------------------------------------------------------------------------


@login_required
@require_safe
def my_work(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = _today()
    mine = acting_units(user)
    leads = [m.unit for m in memberships_of(user) if m.can_lead]
    base = assignments_for_user(user).active()
    periods = list(
        base.filter(unit__in=mine)
        .exclude(period="")
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()[:40]
    )
    form = f.MyWorkFilterForm(request.GET, periods=periods, leads=bool(leads))
    values = form.values()
    if values["scope"] == "reported" and leads:
        qs = base.filter(report_to__in=leads)
    else:
        qs = base.filter(unit__in=mine)
    qs = f.filter_status(qs, values["status"], today)
    if values["period"]:
        qs = qs.filter(period=values["period"])
    qs = (
        qs.select_related("task", "unit", "report_to")
        .annotate(done_rank=Case(When(state=DONE, then=Value(1)), default=Value(0)))
        .order_by("done_rank", F("due_date").asc(nulls_last=True), "pk")
    )
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = _mark(page.object_list, today)
    acting_ids = {u.pk for u in mine}
    for a in rows:
        a.can_update = a.unit_id in acting_ids and a.state != DONE
    return render(
        request,
        "tasks/my_work.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "units": mine,
            "show_unit": len(mine) > 1 or values["scope"] == "reported",
            "filtered": any(request.GET.get(k) for k in ("status", "period")),
            "crumbs": _crumbs((_("My work"), None)),
        },
    )


# --- one assignment --------------------------------------------------------------------------


def _assignment_page(
    request: HttpRequest,
    a: Assignment,
    *,
    reopen_form: f.ReopenForm | None = None,
    programs_form: f.AssignmentProgramsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = _today()
    _mark([a], today)
    can_update = can_update_assignment(user, a)
    can_reopen = a.is_done and can_manage_task(user, a.task)
    programs = list(programs_for_user(user).filter(assignments=a).order_by("name"))
    if can_update and programs_form is None:
        programs_form = f.AssignmentProgramsForm(user=user, initial={"programs": programs})
    updates = Paginator(
        a.updates.select_related("by").prefetch_related("files"), UPDATES_PER_PAGE
    ).get_page(request.GET.get("page"))
    subtasks = list(
        tasks_for_user(user).filter(parent_assignment=a).select_related("issuer").order_by("pk")
    )
    counts = _task_counts(user, [t.pk for t in subtasks], today)
    for t in subtasks:
        t.counts = counts.get(t.pk, TaskCounts())
    output = None
    if a.output_document_id:
        output = documents_for_user(user).filter(pk=a.output_document_id).first()
    return render(
        request,
        "tasks/assignment.html",
        {
            "a": a,
            "task": a.task,
            "output": output,
            "programs": programs,
            "programs_form": programs_form if can_update else None,
            "updates": updates,
            "subtasks": subtasks,
            "can_update": can_update,
            "can_reopen": can_reopen,
            "reopen_form": reopen_form or (f.ReopenForm() if can_reopen else None),
            "successor": (
                assignments_for_user(user)
                .select_related("unit")
                .filter(pk=a.transferred_to_id)
                .first()
                if a.transferred_to_id
                else None
            ),
            "crumbs": _task_crumbs(user, a.task, (_unit_name(a.unit), None)),
        },
        status=status,
    )


@login_required
@require_safe
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _assignment_page(request, get_assignment_for_user(request.user, pk))


@login_required
@require_POST
def assignment_programs(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_assignment_for_user(request.user, pk, write=True)
    form = f.AssignmentProgramsForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            assignment_set_programs(
                assignment=a, by=request.user, programs=form.cleaned_data["programs"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The programs have been saved."))
            return redirect("tasks:assignment", a.pk)
    return _assignment_page(request, a, programs_form=form, status=400)


@login_required
@require_POST
def assignment_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_assignment_for_user(request.user, pk)
    if not can_manage_task(request.user, a.task):
        raise Http404
    form = f.ReopenForm(request.POST)
    if form.is_valid():
        try:
            assignment_reopen(assignment=a, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The assignment has been reopened."))
            return redirect("tasks:assignment", a.pk)
    return _assignment_page(request, a, reopen_form=form, status=400)


# --- the one-minute update -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assignment_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    a = get_assignment_for_user(user, pk, write=True)
    today = _today()
    initial = {"progress": a.progress, "version": a.version}
    form = f.UpdateForm(request.POST or None, request.FILES or None, assignment=a, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment_update(
                assignment=a,
                by=user,
                text=data["text"],
                progress=data["progress"],
                reason=data["reason"],
                completed=data["completed"],
                completed_on=data["completed_on"] if data["completed"] else None,
                output_document=data["output_document"],
                files=data["files"],
                version=data["version"],
            )
        except DomainError as error:
            if error.code == "upload":
                audit(AuditEvent.Kind.UPLOAD_REFUSED, request=request, reason=error.message)
            if error.code == "stale":
                # Keep what was typed, but let the next send go through the version check.
                a.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(a.version)
                form = f.UpdateForm(data, assignment=a, initial=initial)
                form.is_valid()
            form.add_domain_error(error)
        else:
            if data["completed"]:
                messages.success(request, _("Thank you: the assignment is marked as done."))
            else:
                messages.success(request, _("Thank you: your progress has been recorded."))
            return redirect("tasks:assignment", a.pk)
    _mark([a], today)
    return render(
        request,
        "tasks/update.html",
        {
            "a": a,
            "task": a.task,
            "form": form,
            "needs_reason": a.needs_reason(today),
            "recent": a.updates.select_related("by")[:3],
            "has_documents": form.fields["output_document"].queryset.exists(),
            "crumbs": _task_crumbs(
                user, a.task, (_unit_name(a.unit), _assignment_url(a)), (_("Update"), None)
            ),
        },
    )


@login_required
@require_safe
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        stored = UpdateFile.objects.select_related("update").get(pk=int(pk))
    except (UpdateFile.DoesNotExist, ValueError, TypeError):
        raise Http404
    a = get_assignment_for_user(request.user, stored.update.assignment_id)
    try:
        handle = open_verified(request, stored, log=log, what="evidence file", evidence=stored.pk)
    except FileDamaged:
        crumbs = _task_crumbs(
            request.user,
            a.task,
            (_unit_name(a.unit), _assignment_url(a)),
            (stored.original_name, None),
        )
        back_label = _("Back to the assignment")
        return damaged_page(
            request, stored, back_url=_assignment_url(a), back_label=back_label, crumbs=crumbs
        )
    return private_download(handle, stored)


# --- programs --------------------------------------------------------------------------------


@login_required
@require_safe
def program_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = f.ProgramFilterForm(request.GET)
    qs = form.filter(programs_for_user(user).select_related("owner")).order_by("name", "pk")
    page = Paginator(qs, PROGRAMS_PER_PAGE).get_page(request.GET.get("page"))
    ids = [p.pk for p in page.object_list]
    tasks = dict(
        tasks_for_user(user)
        .filter(programs__in=ids)
        .order_by()
        .values("programs")
        .annotate(n=Count("pk", distinct=True))
        .values_list("programs", "n")
    )
    assigned = dict(
        assignments_for_user(user)
        .filter(programs__in=ids)
        .order_by()
        .values("programs")
        .annotate(n=Count("pk", distinct=True))
        .values_list("programs", "n")
    )
    for p in page.object_list:
        p.n_tasks = tasks.get(p.pk, 0)
        p.n_assignments = assigned.get(p.pk, 0)
    return render(
        request,
        "tasks/programs.html",
        {
            "form": form,
            "page": page,
            "query": form.cleaned_data.get("q", "") if hasattr(form, "cleaned_data") else "",
            "can_create": bool(acting_units(user)),
            "crumbs": _crumbs((_("Programs and projects"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    owners = acting_units(user)
    if not owners:
        raise Http404
    form = f.ProgramForm(request.POST or None, user=user, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            program = program_create(owner=data.pop("owner"), by=user, **data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The program has been registered."))
            return redirect("tasks:program", program.pk)
    return render(
        request,
        "tasks/program_form.html",
        {
            "form": form,
            "crumbs": _crumbs(
                (_("Programs and projects"), reverse("tasks:programs")), (_("New program"), None)
            ),
        },
    )


@login_required
@require_safe
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = get_program_for_user(user, pk)
    today = _today()
    tasks = (
        tasks_for_user(user)
        .filter(programs=program)
        .select_related("issuer", "source_document")
        .order_by(
            F("source_document__issue_date").desc(nulls_last=True), "source_document_id", "pk"
        )
    )
    tpage = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("tpage"))
    counts = _task_counts(user, [t.pk for t in tpage.object_list], today)
    for t in tpage.object_list:
        t.counts = counts.get(t.pk, TaskCounts())
        t.recurrence_text = _describe_recurrence(t)
    linked = (
        assignments_for_user(user)
        .filter(programs=program)
        .select_related("task__source_document", "unit")
        .order_by(
            F("task__source_document__issue_date").desc(nulls_last=True),
            "task__source_document_id",
            "task_id",
            "unit__path",
            "pk",
        )
    )
    apage = Paginator(linked, ROWS_PER_PAGE).get_page(request.GET.get("apage"))
    _mark(apage.object_list, today)
    doc_ids = {t.source_document_id for t in tpage.object_list} | {
        a.task.source_document_id for a in apage.object_list
    }
    visible_docs = set(
        documents_for_user(user).filter(pk__in=doc_ids - {None}).values_list("pk", flat=True)
    )
    founding = None
    if program.document_id:
        founding = documents_for_user(user).filter(pk=program.document_id).first()
    return render(
        request,
        "tasks/program.html",
        {
            "program": program,
            "founding": founding,
            "tpage": tpage,
            "apage": apage,
            "visible_docs": visible_docs,
            "crumbs": _crumbs(
                (_("Programs and projects"), reverse("tasks:programs")), (program.name, None)
            ),
        },
    )

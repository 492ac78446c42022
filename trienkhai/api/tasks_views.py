"""API v1 of the cascade: tasks, targets, assignments, progress, roll-up and programs.

Same shape as views.py: lists start from the user's scoped queryset and narrow it with
allow-listed filters; single objects come from the ``get_*_for_user`` helpers (404 outside
the reach, or outside what the user may act for on writes); writes call the services, whose
DomainError becomes a 400 with a reason (409 for a stale version, see errors.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from trienkhai.accounts.scoping import get_unit_for_user, reach_roots
from trienkhai.api import tasks_serializers as ts
from trienkhai.api.views import _filters
from trienkhai.documents.selectors import documents_for_user
from trienkhai.tasks import services
from trienkhai.tasks.models import (
    Assignment,
    AssignmentQuerySet,
    Program,
    Target,
    Task,
    UnitRollup,
)
from trienkhai.tasks.selectors import (
    MANY_OVERDUE,
    Counts,
    TaskFilter,
    assignments_for_user,
    get_assignment_for_user,
    get_program_for_user,
    get_task_for_user,
    programs_for_user,
    rollup,
    tasks_for_user,
)
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold


class CascadePagination(PageNumberPagination):
    """Pages of 50 by default, at most 100 (``page_size``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


@dataclass(frozen=True)
class _Page:
    """What DRF's link builders ask of a page, without the total a Django page carries."""

    number: int
    more: bool

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class UncountedPagination(CascadePagination):
    """Page numbers without a total: a page reads one row more to know if another follows.

    For the assignment list, where counting the overdue work of a whole city on every page
    cost more than reading the page itself (bench/peer_bench.py). Totals come from the
    roll-up, which reads counters.
    """

    max_page = 100_000  # a bound on OFFSET: larger numbers are a 404, not a database error

    def paginate_queryset(self, queryset, request: Request, view=None) -> list[Any]:
        self.request = request
        size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or "1"
        number = int(raw) if re.fullmatch(r"[0-9]{1,6}", raw) else 0
        if not 1 <= number <= self.max_page:
            raise NotFound(self.invalid_page_message.format(page_number=raw[:20], message=""))
        rows = list(queryset[(number - 1) * size : number * size + 1])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message.format(page_number=number, message=""))
        self.page = _Page(number, len(rows) > size)
        return rows[:size]

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        del paginated["properties"]["count"]
        paginated["required"] = ["results"]
        return paginated


_DOMAIN_ERROR = OpenApiResponse(
    description="A rule said no: {detail, code, field}. A stale version is 409."
)


def _readable_unit(user, pk: int | str) -> Unit:
    """The unit if the user may read it (404 otherwise). The user's own units, the usual
    subject of a list, came with the memberships: no query for them."""
    for unit in reach_roots(user):
        if str(unit.pk) == str(pk):
            return unit
    return get_unit_for_user(user, pk)


def _subtree_assignments(unit: Unit, *, overdue_only: bool) -> AssignmentQuerySet:
    """The subtree's assignments in the query shape that suits its size, as the dashboard's
    overdue list chooses it (``selectors.overdue_list``): a join on the unit's path for a big
    subtree, walked in deadline order; the subtree's units for a small one. A root's subtree
    is the whole tree; below it the roll-up's counter says how big it is."""
    if unit.depth > 1:
        counts = (
            UnitRollup.objects.filter(unit_id=unit.pk)
            .values_list("overdue", "not_started", "in_progress", "done_on_time", "done_late")
            .first()
        )
        size = (counts[0] if overdue_only else sum(counts)) if counts else 0
        if size < MANY_OVERDUE:
            return Assignment.objects.in_subtree(unit)
    return Assignment.objects.within(unit)


def _visible_documents(user, ids: set[int]) -> set[int]:
    ids = {i for i in ids if i}
    if not ids:
        return set()
    return set(documents_for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


def _require_document(user, pk: int, field: str) -> int:
    """A document id used as a filter must be one the user may read (else its links leak)."""
    if pk not in _visible_documents(user, {pk}):
        raise ValidationError({field: [_("Choose a document you can see.")]})
    return pk


def _add_target(task: Task, by, data: dict[str, Any]) -> tuple[Target, int]:
    return services.target_add(
        task=task,
        by=by,
        mode=data["mode"],
        units=data.get("units", ()),
        under=data.get("under"),
        kinds=data.get("kinds", ()),
        depth=data.get("depth"),
        role=data.get("role", Target.Role.LEAD),
        report_to=data.get("report_to"),
    )


# --- tasks -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Tasks you may read",
        parameters=[ts.TaskFilterSerializer],
        responses=ts.TaskSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One task", responses=ts.TaskSerializer),
    create=extend_schema(
        summary="Create a task of a unit you act for, optionally with its targets",
        request=ts.TaskCreateSerializer,
        responses={201: ts.TaskCreatedSerializer, 400: _DOMAIN_ERROR},
    ),
    partial_update=extend_schema(
        summary="Change a task of a unit you act for",
        request=ts.TaskUpdateSerializer,
        responses={200: ts.TaskSerializer, 400: _DOMAIN_ERROR},
    ),
)
class TaskViewSet(viewsets.GenericViewSet):
    serializer_class = ts.TaskSerializer
    pagination_class = CascadePagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Task.objects.none()  # for the schema; requests use tasks_for_user

    def get_queryset(self):
        return (
            tasks_for_user(self.request.user)
            .select_related("issuer", "source_document")
            .prefetch_related("programs")
        )

    def get_object(self, *, manage: bool = False) -> Task:
        return get_task_for_user(self.request.user, self.kwargs["pk"], manage=manage)

    def _one(self, task: Task, *, code: int = status.HTTP_200_OK, **extra: Any) -> Response:
        task = self.get_queryset().get(pk=task.pk)
        for key, value in extra.items():
            setattr(task, key, value)
        ctx = {**self.get_serializer_context(), **ts.visible_related(self.request.user, [task])}
        serializer = ts.TaskCreatedSerializer if extra else ts.TaskSerializer
        return Response(serializer(task, context=ctx).data, status=code)

    def list(self, request: Request) -> Response:
        f = _filters(ts.TaskFilterSerializer, request)
        qs = self.get_queryset()
        if "issuer" in f:
            qs = qs.filter(issuer_id=f["issuer"])
        if "kind" in f:
            qs = qs.filter(kind=f["kind"])
        if "starred" in f:
            qs = qs.filter(is_starred=f["starred"])
        if "source_document" in f:
            qs = qs.filter(
                source_document_id=_require_document(
                    request.user, f["source_document"], "source_document"
                )
            )
        if "q" in f:
            qs = qs.search(f["q"])
        if "ordering" in f:
            qs = qs.order_by(*ts.TASK_ORDERINGS[f["ordering"]])
        page = list(self.paginate_queryset(qs))
        ctx = {**self.get_serializer_context(), **ts.visible_related(request.user, page)}
        return self.get_paginated_response(ts.TaskSerializer(page, many=True, context=ctx).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._one(self.get_object())

    def create(self, request: Request) -> Response:
        form = ts.TaskCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        issuer, targets = fields.pop("issuer"), fields.pop("targets", [])
        with transaction.atomic():  # a refused target leaves no half-made task behind
            task = services.task_create(issuer=issuer, by=request.user, **fields)
            results = [_add_target(task, request.user, t) for t in targets]
        done = [{"target": t.pk, "created": n} for t, n in results]
        return self._one(task, code=status.HTTP_201_CREATED, target_results=done)

    def partial_update(self, request: Request, pk: str) -> Response:
        task = self.get_object(manage=True)
        form = ts.TaskUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        programs = fields.pop("programs", None)
        task = services.task_update(task=task, by=request.user, programs=programs, **fields)
        return self._one(task)

    @extend_schema(
        summary="Send a task to more units (chosen units or a rule)",
        request=ts.TargetInputSerializer,
        responses={201: ts.TargetResultSerializer, 400: _DOMAIN_ERROR},
    )
    @action(detail=True, methods=["post"])
    def targets(self, request: Request, pk: str) -> Response:
        task = self.get_object(manage=True)
        form = ts.TargetInputSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        target, created = _add_target(task, request.user, form.validated_data)
        return Response({"target": target.pk, "created": created}, status=status.HTTP_201_CREATED)


# --- assignments -----------------------------------------------------------------------------


def _with_status(qs: AssignmentQuerySet, bucket: str, today: dt.date) -> AssignmentQuerySet:
    """Assignments whose status *today* is ``bucket``: the stored bucket lags until the
    daily sweep, so the deadline is compared here."""
    B, S = Assignment.Bucket, Assignment.State
    within = Q(due_date__isnull=True) | Q(due_date__gte=today)
    if bucket == B.OVERDUE:
        return qs.overdue(today)
    if bucket == B.NOT_STARTED:
        return qs.filter(within, state=S.NOT_STARTED)
    if bucket == B.IN_PROGRESS:
        return qs.filter(within, state=S.IN_PROGRESS)
    done = qs.filter(state=S.DONE)
    if bucket == B.DONE_ON_TIME:
        return done.filter(Q(due_date__isnull=True) | Q(completed_on__lte=F("due_date")))
    return done.filter(completed_on__gt=F("due_date"))


@extend_schema_view(
    list=extend_schema(
        summary="Assignments you may read (open and done; not those passed to a successor)",
        parameters=[ts.AssignmentFilterSerializer],
        responses=ts.AssignmentSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One assignment", responses=ts.AssignmentSerializer),
)
class AssignmentViewSet(viewsets.GenericViewSet):
    serializer_class = ts.AssignmentSerializer
    pagination_class = UncountedPagination
    http_method_names = ["get", "post", "head", "options"]
    queryset = Assignment.objects.none()  # for the schema; requests use assignments_for_user
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> AssignmentQuerySet:
        return assignments_for_user(self.request.user)

    def get_object(self, *, write: bool = False) -> Assignment:
        return get_assignment_for_user(self.request.user, self.kwargs["pk"], write=write)

    def _rows(self, rows: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
        visible = _visible_documents(self.request.user, {r["output_document_id"] for r in rows})
        return ts.assignment_rows(rows, today, visible)

    def _one(self, assignment: Assignment) -> dict[str, Any]:
        row = Assignment.objects.filter(pk=assignment.pk).values(*ts.ASSIGNMENT_VALUES).get()
        return self._rows([row], timezone.localdate())[0]

    def list(self, request: Request) -> Response:
        f = _filters(ts.AssignmentFilterSerializer, request)
        today = timezone.localdate()
        if "subtree" in f:
            # Every assignment in the subtree of a unit the user reads is readable (its unit
            # is within the reach), so the subtree replaces the reach test rather than adding
            # to it: one condition fewer for the database to check on every row.
            unit = _readable_unit(request.user, f["subtree"])
            overdue_only = f.get("overdue") is True or f.get("status") == Assignment.Bucket.OVERDUE
            qs = _subtree_assignments(unit, overdue_only=overdue_only)
        else:
            qs = self.get_queryset()
        if "unit" in f:
            qs = qs.filter(unit_id=f["unit"])
        if "task" in f:
            qs = qs.filter(task_id=f["task"])
        status_ = f.get("status")
        if f.get("overdue") is True or status_ == Assignment.Bucket.OVERDUE:
            qs = qs.overdue(today)  # open ones only: already without the transferred
            if status_ not in (None, Assignment.Bucket.OVERDUE):
                qs = _with_status(qs, status_, today)  # a contradiction: nothing
        else:
            qs = qs.active()  # an assignment passed to a successor is counted there
            if status_ is not None:
                qs = _with_status(qs, status_, today)
            if f.get("overdue") is False:
                qs = qs.exclude(Q(due_date__lt=today) & ~Q(state=Assignment.State.DONE))
        if "due_before" in f:
            qs = qs.filter(due_date__lte=f["due_before"])
        if "due_after" in f:
            qs = qs.filter(due_date__gte=f["due_after"])
        if "period" in f:
            qs = qs.filter(period=f["period"])
        if "ordering" in f:
            qs = qs.order_by(*ts.ASSIGNMENT_ORDERINGS[f["ordering"]])
        page = self.paginate_queryset(qs.values(*ts.ASSIGNMENT_VALUES))
        return self.get_paginated_response(self._rows(page, today))

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._one(self.get_object()))

    def _updated(self, update, assignment: Assignment) -> Response:
        update = (
            type(update).objects.select_related("by").prefetch_related("files").get(pk=update.pk)
        )
        body = {
            "update": ts.ProgressUpdateSerializer(update).data,
            "assignment": self._one(assignment),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Report progress on an assignment of a unit you act for (files: multipart)",
        request={
            "application/json": ts.AssignmentUpdateSerializer,
            "multipart/form-data": ts.AssignmentUpdateSerializer,
        },
        responses={
            201: ts.UpdateResultSerializer,
            400: _DOMAIN_ERROR,
            409: OpenApiResponse(description="Someone else updated the assignment first."),
        },
    )
    @action(detail=True, methods=["post"], url_path="update", url_name="update")
    def progress(self, request: Request, pk: str) -> Response:
        a = self.get_object(write=True)
        form = ts.AssignmentUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        update = services.assignment_update(
            assignment=a,
            by=request.user,
            text=data["text"],
            progress=data.get("progress", a.progress),
            reason=data.get("reason", ""),
            completed=data.get("completed", False),
            completed_on=data.get("completed_on"),
            output_document=data.get("output_document"),
            files=data.get("files", []),
            version=data.get("version"),
        )
        return self._updated(update, a)

    @extend_schema(
        summary="Mark an assignment of a unit you act for as done",
        request=ts.AssignmentCompleteSerializer,
        responses={
            201: ts.UpdateResultSerializer,
            400: _DOMAIN_ERROR,
            409: OpenApiResponse(description="Someone else updated the assignment first."),
        },
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        a = self.get_object(write=True)
        form = ts.AssignmentCompleteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        update = services.assignment_complete(assignment=a, by=request.user, **form.validated_data)
        return self._updated(update, a)

    @extend_schema(
        summary="Reopen a done assignment of a task your unit issued, with a reason",
        request=ts.AssignmentReopenSerializer,
        responses={200: ts.AssignmentSerializer, 400: _DOMAIN_ERROR},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        a = self.get_object()
        form = ts.AssignmentReopenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.assignment_reopen(
            assignment=a, by=request.user, reason=form.validated_data["reason"]
        )
        return Response(self._one(a))

    @extend_schema(
        summary="Break an assignment of a unit you act for down into a task of that unit",
        request=ts.SubtaskCreateSerializer,
        responses={201: ts.TaskCreatedSerializer, 400: _DOMAIN_ERROR},
    )
    @action(detail=True, methods=["post"])
    def cascade(self, request: Request, pk: str) -> Response:
        a = self.get_object(write=True)
        form = ts.SubtaskCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        targets = fields.pop("targets", [])
        with transaction.atomic():
            task = services.task_create(
                issuer=a.unit, by=request.user, parent_assignment=a, **fields
            )
            results = [_add_target(task, request.user, t) for t in targets]
        task = (
            tasks_for_user(request.user).select_related("issuer", "source_document").get(pk=task.pk)
        )
        task.target_results = [{"target": t.pk, "created": n} for t, n in results]
        ctx = {**self.get_serializer_context(), **ts.visible_related(request.user, [task])}
        return Response(
            ts.TaskCreatedSerializer(task, context=ctx).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Progress history of an assignment, the latest first",
        responses=ts.ProgressUpdateSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=CascadePagination)
    def updates(self, request: Request, pk: str) -> Response:
        a = self.get_object()
        qs = a.updates.select_related("by").prefetch_related("files").order_by("-created", "-pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ts.ProgressUpdateSerializer(page, many=True).data)


# --- roll-up ---------------------------------------------------------------------------------


def _counts(c: Counts) -> dict[str, Any]:
    return {
        "not_started": c.not_started,
        "in_progress": c.in_progress,
        "done_on_time": c.done_on_time,
        "done_late": c.done_late,
        "overdue": c.overdue,
        "updated": c.updated,
        "total": c.total,
        "on_time_percent": c.on_time_percent,
        "update_rate": c.update_rate,
    }


def _unit_ref(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "short_name": unit.short_name, "kind": unit.kind}


class RollupViewSet(viewsets.ViewSet):
    lookup_url_kwarg = "unit_id"
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="Status counts of a unit's subtree and of each child's subtree",
        parameters=[
            OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            ts.RollupFilterSerializer,
        ],
        responses=ts.RollupSerializer,
    )
    def retrieve(self, request: Request, unit_id: str) -> Response:
        unit = _readable_unit(request.user, unit_id)
        f = _filters(ts.RollupFilterSerializer, request)
        flt = TaskFilter(kind=f.get("kind"), starred=bool(f.get("starred")))
        if "task" in f:
            try:
                flt.task = get_task_for_user(request.user, f["task"])
            except Http404:
                raise ValidationError({"task": [_("Choose a task you can see.")]})
        if "document" in f:
            flt.document_id = _require_document(request.user, f["document"], "document")
        r = rollup(unit, flt=flt)
        return Response(
            {
                "unit": _unit_ref(r.unit),
                "counts": _counts(r.counts),
                "children": [
                    {"unit": _unit_ref(row.unit), "counts": _counts(row.counts)}
                    for row in r.children
                ],
                "filtered": r.filtered,
            }
        )


# --- programs --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Programs and projects you may read",
        parameters=[ts.ProgramFilterSerializer],
        responses=ts.ProgramSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One program", responses=ts.ProgramSerializer),
)
class ProgramViewSet(viewsets.GenericViewSet):
    serializer_class = ts.ProgramSerializer
    pagination_class = CascadePagination
    http_method_names = ["get", "head", "options"]
    queryset = Program.objects.none()  # for the schema; requests use programs_for_user

    def get_queryset(self):
        return programs_for_user(self.request.user).select_related("owner", "document")

    def _context(self, programs: list[Program]) -> dict[str, Any]:
        docs = _visible_documents(self.request.user, {p.document_id for p in programs})
        return {**self.get_serializer_context(), "visible_documents": docs}

    def list(self, request: Request) -> Response:
        f = _filters(ts.ProgramFilterSerializer, request)
        qs = self.get_queryset()
        if "owner" in f:
            qs = qs.filter(owner_id=f["owner"])
        for word in fold(f.get("q", "")).split()[:8]:
            qs = qs.filter(search_text__contains=word[:50])
        page = list(self.paginate_queryset(qs))
        data = ts.ProgramSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        program = get_program_for_user(request.user, pk)
        return Response(ts.ProgramSerializer(program, context=self._context([program])).data)

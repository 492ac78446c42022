"""API v1 of periodic reports: forms, rounds (with completeness), reports and their actions.

Same shape as the pages: lists start from the user's scoped queryset and narrow it with
allow-listed filters; single objects come from the ``get_*_for_user`` helpers (404 outside
the reach, or outside what the user may act for); writes call the reports services. A rule
that says no is a 400 with ``{detail, code, field}`` (``errors`` when several fields are
wrong); a stale ``version`` is a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from trienkhai.api import reports_serializers as rs
from trienkhai.api.views import _filters
from trienkhai.reports import services
from trienkhai.reports.consolidation import (
    Tally,
    completeness,
    consolidate,
    reporters,
    reporters_tally,
    sort_rows,
)
from trienkhai.reports.models import Report, ReportForm, Round, Value
from trienkhai.reports.selectors import (
    can_manage_round,
    can_trace_report,
    completeness_unit,
    forms_for_user,
    get_form_for_user,
    get_report_for_user,
    get_round_for_user,
    reports_for_user,
    rounds_for_user,
    to_fill,
    to_review,
)
from trienkhai.vntext.text import fold

PAGE = 100


class ReportsPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = _("This page does not exist.")


_REFUSED = OpenApiResponse(
    rs.ErrorsSerializer, description="A rule said no: {detail, code, field, errors}."
)
_STALE = OpenApiResponse(
    rs.ErrorsSerializer, description="Someone else changed the report first: read it again."
)


def _invalid(exc: services.ReportInvalid) -> Response:
    return Response(
        {"detail": exc.message, "code": exc.code, "field": exc.field, "errors": exc.errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _tally(t: Tally) -> dict[str, Any]:
    return {
        "expected": t.expected,
        "submitted": t.submitted,
        "on_time": t.on_time,
        "late": t.late,
        "missing": t.missing,
        "pending": t.pending,
        "accepted": t.accepted,
        "returned": t.returned,
        "waived": t.waived,
        "reporting_rate": t.reporting_rate,
        "on_time_rate": t.on_time_rate,
    }


def _unit(unit) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "short_name": unit.short_name, "kind": unit.kind}


# --- forms -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Report forms you may read (of your units and of the units above them)",
        parameters=[rs.FormFilterSerializer],
    ),
    retrieve=extend_schema(summary="One report form with its current version"),
)
class ReportFormViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = rs.ReportFormSerializer
    pagination_class = ReportsPagination
    queryset = ReportForm.objects.none()  # for the schema; requests use forms_for_user

    def get_queryset(self):
        return forms_for_user(self.request.user).select_related("owner").order_by("name", "pk")

    def get_object(self) -> ReportForm:
        return get_form_for_user(self.request.user, self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        f = _filters(rs.FormFilterSerializer, request)
        qs = self.get_queryset()
        if "owner" in f:
            qs = qs.filter(owner_id=f["owner"])
        for word in fold(f.get("q", "")).split()[:8]:
            qs = qs.filter(name__icontains=word[:50])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- rounds ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Reporting rounds you may read", parameters=[rs.RoundFilterSerializer]
    ),
    retrieve=extend_schema(summary="One reporting round"),
    create=extend_schema(
        summary="Open a round run by a unit you act for (creates every report)",
        request=rs.RoundCreateSerializer,
        responses={201: rs.RoundSerializer, 400: _REFUSED},
    ),
)
class RoundViewSet(viewsets.GenericViewSet):
    serializer_class = rs.RoundSerializer
    pagination_class = ReportsPagination
    http_method_names = ["get", "post", "head", "options"]
    queryset = Round.objects.none()  # for the schema; requests use rounds_for_user

    def get_queryset(self):
        return (
            rounds_for_user(self.request.user)
            .select_related("owner", "version", "receiver_unit", "top_receiver")
            .order_by("-period_end", "-pk")
        )

    def get_object(self) -> Round:
        return get_round_for_user(self.request.user, self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        f = _filters(rs.RoundFilterSerializer, request)
        qs = self.get_queryset()
        if "owner" in f:
            qs = qs.filter(owner_id=f["owner"])
        if "form" in f:
            qs = qs.filter(form_id=f["form"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        form = rs.RoundCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        try:
            rnd, _n = services.round_create(by=request.user, **data)
        except services.ReportInvalid as exc:
            return _invalid(exc)
        rnd = self.get_queryset().get(pk=rnd.pk)
        return Response(self.get_serializer(rnd).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Completeness and timeliness of a unit's subtree, and of each child's",
        parameters=[rs.CompletenessFilterSerializer],
        responses=rs.CompletenessSerializer,
    )
    @action(detail=True, methods=["get"])
    def completeness(self, request: Request, pk: str) -> Response:
        rnd = self.get_object()
        f = _filters(rs.CompletenessFilterSerializer, request)
        unit = completeness_unit(request.user, rnd, f.get("unit"))
        c = completeness(rnd, unit)
        rows = sort_rows(c.rows, f.get("sort", "name"))
        page = Paginator(rows, PAGE).get_page(f.get("page", 1))
        return Response(
            {
                "unit": _unit(unit),
                "past_deadline": c.tally.past_deadline,
                "tally": _tally(c.tally),
                "rows": [
                    {"unit": _unit(r.unit), "own": r.own, "tally": _tally(r.tally)}
                    for r in page.object_list
                ],
                "next_page": page.next_page_number() if page.has_next() else None,
            }
        )


# --- reports ---------------------------------------------------------------------------------


def _values(reports: list[Report]) -> dict[int, list[tuple[str, float | None, str]]]:
    out: dict[int, list] = {}
    rows = Value.objects.filter(report__in=[r.pk for r in reports]).values_list(
        "report_id", "indicator__code", "number", "text"
    )
    for report_id, code, number, text in rows:
        out.setdefault(report_id, []).append((code, number, text))
    return out


_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@dataclass(frozen=True)
class Transition:
    """A report action of the API: who takes it, what it reads, which service it calls."""

    summary: str
    review: bool  # the receiver's action (else the reporting unit's)
    serializer: type[serializers.Serializer]
    service: Callable[..., Report]
    fields: tuple[str, ...] = ()  # input passed on besides the version


ACTIONS = {
    "submit": Transition(
        "Send your unit's report to its receiver (the round owner's: finalize it)",
        review=False,
        serializer=rs.VersionInputSerializer,
        service=services.report_submit,
    ),
    "return": Transition(
        "Return a report sent to your unit, saying what to fix",
        review=True,
        serializer=rs.CommentInputSerializer,
        service=services.report_return,
        fields=("comment",),
    ),
    "accept": Transition(
        "Accept a report sent to your unit (then it is locked)",
        review=True,
        serializer=rs.VersionInputSerializer,
        service=services.report_accept,
    ),
    "reopen": Transition(
        "Reopen an accepted or waived report sent to your unit, with a reason",
        review=True,
        serializer=rs.ReasonInputSerializer,
        service=services.report_reopen,
        fields=("reason",),
    ),
    "waive": Transition(
        "Stop expecting a report sent to your unit, with a reason",
        review=True,
        serializer=rs.ReasonInputSerializer,
        service=services.report_waive,
        fields=("reason",),
    ),
}


def _transition(name: str):
    """The OpenAPI description of a report action, from its entry in ``ACTIONS``."""
    t = ACTIONS[name]
    return extend_schema(
        summary=t.summary,
        parameters=[_ID],
        request=t.serializer,
        responses={200: rs.ReportSerializer, 400: _REFUSED, 409: _STALE},
    )


@extend_schema_view(
    list=extend_schema(
        summary="Reports you may read (your units', and those sent to them)",
        parameters=[rs.ReportFilterSerializer],
    ),
    retrieve=extend_schema(summary="One report with its figures", parameters=[_ID]),
    partial_update=extend_schema(
        summary="Save figures, narrative and document fields of your unit's report",
        parameters=[_ID],
        request=rs.ReportSaveSerializer,
        responses={200: rs.ReportSerializer, 400: _REFUSED, 409: _STALE},
    ),
)
class ReportViewSet(viewsets.GenericViewSet):
    serializer_class = rs.ReportSerializer
    pagination_class = ReportsPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Report.objects.none()  # for the schema; requests use reports_for_user

    def get_queryset(self):
        return reports_for_user(self.request.user)

    def _one(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        r = Report.objects.select_related("round", "unit", "receiver").get(pk=pk)
        ctx = {**self.get_serializer_context(), "values": _values([r])}
        return Response(rs.ReportSerializer(r, context=ctx).data, status=code)

    def list(self, request: Request) -> Response:
        f = _filters(rs.ReportFilterSerializer, request)
        box = f.get("box")
        if box == "fill":
            qs = to_fill(request.user)
        elif box == "review":
            qs = to_review(request.user)
        else:
            qs = self.get_queryset()
        for key in ("round", "unit", "receiver"):
            if key in f:
                qs = qs.filter(**{f"{key}_id": f[key]})
        if "state" in f:
            qs = qs.filter(state=f["state"])
        qs = qs.select_related("round", "unit", "receiver").order_by("round_id", "unit_path", "pk")
        page = list(self.paginate_queryset(qs))
        ctx = {**self.get_serializer_context(), "values": _values(page)}
        return self.get_paginated_response(rs.ReportSerializer(page, many=True, context=ctx).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._one(get_report_for_user(request.user, pk).pk)

    def partial_update(self, request: Request, pk: str) -> Response:
        r = get_report_for_user(request.user, pk, write=True)
        form = rs.ReportSaveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        try:
            services.report_save(report=r, by=request.user, **data)
        except services.ReportInvalid as exc:
            return _invalid(exc)
        return self._one(r.pk)

    def _act(self, request: Request, pk: str, name: str) -> Response:
        """One state transition: the report as the actor may reach it (the reporter's unit
        for a submit, the receiver for the rest), the input checked, the service called."""
        t = ACTIONS[name]
        r = get_report_for_user(request.user, pk, write=not t.review, review=t.review)
        form = t.serializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        d = form.validated_data
        try:
            t.service(
                report=r,
                by=request.user,
                version=d["version"],
                **{key: d[key] for key in t.fields},
            )
        except services.ReportInvalid as exc:
            return _invalid(exc)
        return self._one(r.pk)

    @_transition("submit")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, "submit")

    @_transition("return")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, "return")

    @_transition("accept")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, "accept")

    @_transition("reopen")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, "reopen")

    @_transition("waive")
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str) -> Response:
        return self._act(request, pk, "waive")

    @extend_schema(
        summary="Send one report to another receiver of the round (the round owner only)",
        parameters=[_ID],
        request=rs.ReceiverInputSerializer,
        responses={200: rs.ReportSerializer, 400: _REFUSED, 409: _STALE},
    )
    @action(detail=True, methods=["post"])
    def receiver(self, request: Request, pk: str) -> Response:
        r = get_report_for_user(request.user, pk)
        if not can_manage_round(request.user, r.round):
            raise Http404
        form = rs.ReceiverInputSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        d = form.validated_data
        services.report_set_receiver(
            report=r, receiver=d["receiver"], by=request.user, version=d["version"]
        )
        return self._one(r.pk)

    @extend_schema(
        summary="The figures consolidated from the accepted reports sent to this report's "
        "unit, and how its reporters stand",
        parameters=[_ID, OpenApiParameter("page", OpenApiTypes.INT)],
        responses=rs.ConsolidationSerializer,
    )
    @action(detail=True, methods=["get"])
    def consolidation(self, request: Request, pk: str) -> Response:
        r = get_report_for_user(request.user, pk)
        rnd = r.round
        figures = consolidate(rnd, r.unit_id)
        # a reader of the report only as its receiver gets the sums, not who sent what
        sources = reporters(rnd, r.unit_id) if can_trace_report(request.user, r) else []
        page = Paginator(sources, PAGE).get_page(request.query_params.get("page"))
        return Response(
            {
                "figures": [
                    {
                        "code": fig.indicator.code,
                        "value": fig.value,
                        "reports": fig.reports,
                        "units": fig.units,
                    }
                    for fig in figures.values()
                ],
                "tally": _tally(reporters_tally(rnd, r.unit_id)),
                "reporters": [
                    {
                        "id": s.pk,
                        "unit": _unit(s.unit),
                        "state": s.state,
                        "late": s.is_late(rnd.deadline),
                        "missing": s.is_missing(deadline=rnd.deadline),
                    }
                    for s in page.object_list
                ],
                "next_page": page.next_page_number() if page.has_next() else None,
            }
        )

"""API v1 of inspection and supervision: plans, visits, recommendations and the roll-up.

Lists start from the user's scoped querysets; single objects come from the ``get_*_for_user``
helpers (404 outside the reach, or outside what the user supervises on writes); writes call
the oversight services, whose DomainError becomes a 400 with a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from trienkhai.api import oversight_serializers as ovs
from trienkhai.api.outreach_serializers import DeleteSerializer
from trienkhai.api.outreach_views import RecordViewSet
from trienkhai.api.serializers import UnitRefSerializer
from trienkhai.api.tasks_views import CascadePagination, _readable_unit, _visible_documents
from trienkhai.api.views import _filters
from trienkhai.oversight import services
from trienkhai.oversight.models import Plan, PlanTarget, Recommendation, Visit
from trienkhai.oversight.selectors import (
    Figures,
    get_plan_for_user,
    get_recommendation_for_user,
    get_visit_for_user,
    oversight,
    plans_for_user,
    recommendations_for_user,
    visits_for_user,
)
from trienkhai.tasks.models import Assignment
from trienkhai.tasks.selectors import tasks_for_user
from trienkhai.units.models import Unit

_DOMAIN_ERROR = OpenApiResponse(description="A rule said no: {detail, code, field}.")


def _subtree(unit: Unit):
    return Unit.objects.subtree_of(unit).order_by().values("pk")


def _mark(recs: list[Recommendation], today: dt.date) -> list[Recommendation]:
    assignments = {
        a.task_id: a
        for a in Assignment.objects.active().filter(
            task_id__in=[r.task_id for r in recs if r.task_id]
        )
    }
    for r in recs:
        r.assignment = assignments.get(r.task_id)
        r.state = services.state_of(r, r.assignment)
        r.age = (today - r.visit.ends_on).days
    return recs


# --- plans -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Inspection and supervision plans you may read",
        parameters=[ovs.PlanFilterSerializer],
        responses=ovs.PlanSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One plan with its targets", responses=ovs.PlanSerializer),
    create=extend_schema(
        summary="Create a plan of a unit you supervise for (staff, leader, inspection committee)",
        request=ovs.PlanCreateSerializer,
        responses={201: ovs.PlanSerializer, 400: _DOMAIN_ERROR},
    ),
    partial_update=extend_schema(
        summary="Edit a plan you supervise for (fields left out keep their value)",
        request=ovs.PlanUpdateSerializer,
        responses={200: ovs.PlanSerializer, 400: _DOMAIN_ERROR},
    ),
    destroy=extend_schema(
        summary="Delete a plan without visits (the reason stays in its history)",
        request=DeleteSerializer,
        parameters=[OpenApiParameter("reason", OpenApiTypes.STR, description="If no body.")],
        responses={204: None, 400: _DOMAIN_ERROR},
    ),
)
class PlanViewSet(RecordViewSet):
    serializer_class = ovs.PlanSerializer
    pagination_class = CascadePagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Plan.objects.none()  # for the schema; requests use plans_for_user

    def get_queryset(self) -> QuerySet[Plan]:
        visited = Visit.objects.filter(planned=OuterRef("pk"))
        targets = PlanTarget.objects.select_related("unit").annotate(visited=Exists(visited))
        return (
            plans_for_user(self.request.user)
            .select_related("unit")
            .prefetch_related("documents", "tasks", Prefetch("targets", queryset=targets))
        )

    def _data(self, plans: list[Plan], many: bool = False) -> Any:
        user = self.request.user
        docs = {d.pk for p in plans for d in p.documents.all()}
        task_ids = {t.pk for p in plans for t in p.tasks.all()}
        ctx = {
            **self.get_serializer_context(),
            "visible_documents": _visible_documents(user, docs),
            "visible_tasks": set(
                tasks_for_user(user).filter(pk__in=task_ids).values_list("pk", flat=True)
            )
            if task_ids
            else set(),
        }
        data = ovs.PlanSerializer(plans, many=True, context=ctx).data
        return data if many else data[0]

    def list(self, request: Request) -> Response:
        f = _filters(ovs.PlanFilterSerializer, request)
        qs = self.get_queryset()
        if "unit" in f:
            qs = qs.filter(unit__in=_subtree(_readable_unit(request.user, f["unit"])))
        if "year" in f:
            qs = qs.filter(year=f["year"])
        if "kind" in f:
            qs = qs.filter(kind=f["kind"])
        if "q" in f:
            qs = qs.search(f["q"])
        page = list(self.paginate_queryset(qs.order_by("-year", "-pk")))
        return self.get_paginated_response(self._data(page, many=True))

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._shown(get_plan_for_user(request.user, pk).pk)

    def create(self, request: Request) -> Response:
        d = self._input(ovs.PlanCreateSerializer).validated_data
        plan = services.plan_create(
            unit=d["unit"],
            by=request.user,
            year=d["year"],
            kind=d["kind"],
            title=d["title"],
            description=d.get("description", ""),
            documents=d.get("documents", []),
            tasks=d.get("tasks", []),
            targets=[(t["unit"], t["starts_on"], t["ends_on"]) for t in d.get("targets", [])],
        )
        return self._shown(plan.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        plan = get_plan_for_user(request.user, pk, act=True)
        d = self._input(ovs.PlanUpdateSerializer).validated_data
        services.plan_update(
            plan=plan,
            by=request.user,
            year=d.get("year", plan.year),
            kind=d.get("kind", plan.kind),
            title=d.get("title", plan.title),
            description=d.get("description", plan.description),
            documents=d["documents"] if "documents" in d else list(plan.documents.all()),
            tasks=d["tasks"] if "tasks" in d else list(plan.tasks.all()),
            version=d.get("version"),
        )
        return self._shown(plan.pk)

    def destroy(self, request: Request, pk: str) -> Response:
        plan = get_plan_for_user(request.user, pk, act=True)
        return self._deleted(services.plan_delete, plan=plan)

    @extend_schema(
        summary="Plan a visit of a unit under the supervisor, within the plan's year",
        request=ovs.PlanTargetInputSerializer,
        responses={201: ovs.PlanSerializer, 400: _DOMAIN_ERROR},
    )
    @action(detail=True, methods=["post"])
    def targets(self, request: Request, pk: str) -> Response:
        plan = get_plan_for_user(request.user, pk, act=True)
        d = self._input(ovs.PlanTargetInputSerializer).validated_data
        services.plan_add_target(
            plan=plan,
            by=request.user,
            unit=d["unit"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        )
        return self._shown(plan.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take a planned visit out of the plan (refused once the visit is recorded)",
        request=None,
        responses={200: ovs.PlanSerializer, 400: _DOMAIN_ERROR},
    )
    @action(detail=True, methods=["delete"], url_path=r"targets/(?P<target_pk>[0-9]+)")
    def remove_target(self, request: Request, pk: str, target_pk: str) -> Response:
        plan = get_plan_for_user(request.user, pk, act=True)
        target = plan.targets.select_related("unit").filter(pk=int(target_pk)).first()
        if target is None:
            raise NotFound
        services.plan_remove_target(target=target, by=request.user)
        return self._shown(plan.pk)


# --- visits ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Visits you may read (of your plans, or of your units)",
        parameters=[ovs.VisitFilterSerializer],
        responses=ovs.VisitSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One visit", responses=ovs.VisitSerializer),
    create=extend_schema(
        summary="Record a visit; each recommendation becomes a follow-up task",
        request=ovs.VisitCreateSerializer,
        responses={201: ovs.VisitSerializer, 400: _DOMAIN_ERROR},
    ),
    partial_update=extend_schema(
        summary="Correct a visit (fields left out keep their value; recommendations are added)",
        request=ovs.VisitUpdateSerializer,
        responses={200: ovs.VisitSerializer, 400: _DOMAIN_ERROR},
    ),
    destroy=extend_schema(
        summary="Delete a visit without recommendations (the reason stays in its history)",
        request=DeleteSerializer,
        parameters=[OpenApiParameter("reason", OpenApiTypes.STR, description="If no body.")],
        responses={204: None, 400: _DOMAIN_ERROR},
    ),
)
class VisitViewSet(RecordViewSet):
    serializer_class = ovs.VisitSerializer
    pagination_class = CascadePagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Visit.objects.none()  # for the schema; requests use visits_for_user

    def get_queryset(self) -> QuerySet[Visit]:
        recs = Recommendation.objects.select_related("visit__unit").order_by("pk")
        return (
            visits_for_user(self.request.user)
            .select_related("unit", "rating")
            .prefetch_related(Prefetch("recommendations", queryset=recs))
        )

    def _data(self, visits: list[Visit], many: bool = False) -> Any:
        today = timezone.localdate()
        recs = _mark([r for v in visits for r in v.recommendations.all()], today)
        by_visit: dict[int, list] = {}
        for r in recs:
            by_visit.setdefault(r.visit_id, []).append(r)
        for v in visits:
            v.recs = by_visit.get(v.pk, [])
        data = ovs.VisitSerializer(visits, many=True, context=self.get_serializer_context()).data
        return data if many else data[0]

    def list(self, request: Request) -> Response:
        f = _filters(ovs.VisitFilterSerializer, request)
        qs = self.get_queryset()
        if "plan" in f:
            qs = qs.filter(plan_id=f["plan"])
        if "unit" in f:
            qs = qs.filter(unit__in=_subtree(_readable_unit(request.user, f["unit"])))
        page = list(self.paginate_queryset(qs.order_by("-ends_on", "-pk")))
        return self.get_paginated_response(self._data(page, many=True))

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._shown(get_visit_for_user(request.user, pk).pk)

    def create(self, request: Request) -> Response:
        d = self._input(ovs.VisitCreateSerializer).validated_data
        plan = get_plan_for_user(request.user, d["plan"], act=True)
        with transaction.atomic():
            visit = services.visit_record(
                plan=plan,
                by=request.user,
                unit=d["unit"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                team=d["team"],
                rating=d["rating"],
                conclusion=d.get("conclusion", ""),
                findings=d.get("findings", ""),
                recommendations=[(r["text"], r["due_date"]) for r in d.get("recommendations", [])],
            )
        return self._shown(visit.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        visit = get_visit_for_user(request.user, pk, act=True)
        d = self._input(ovs.VisitUpdateSerializer).validated_data
        services.visit_update(
            visit=visit,
            by=request.user,
            unit=d.get("unit", visit.unit),
            starts_on=d.get("starts_on", visit.starts_on),
            ends_on=d.get("ends_on", visit.ends_on),
            team=d.get("team", visit.team),
            rating=d.get("rating", visit.rating),
            conclusion=d.get("conclusion", visit.conclusion),
            findings=d.get("findings", visit.findings),
            recommendations=[(r["text"], r["due_date"]) for r in d.get("recommendations", [])],
            version=d.get("version"),
        )
        return self._shown(visit.pk)

    def destroy(self, request: Request, pk: str) -> Response:
        visit = get_visit_for_user(request.user, pk, act=True)
        return self._deleted(services.visit_delete, visit=visit)


# --- recommendations -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Recommendations you may read, the oldest visit first",
        parameters=[ovs.RecommendationFilterSerializer],
        responses=ovs.RecommendationSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One recommendation", responses=ovs.RecommendationSerializer),
)
class RecommendationViewSet(viewsets.GenericViewSet):
    serializer_class = ovs.RecommendationSerializer
    pagination_class = CascadePagination
    http_method_names = ["get", "post", "head", "options"]
    queryset = Recommendation.objects.none()  # for the schema

    def get_queryset(self) -> QuerySet[Recommendation]:
        return recommendations_for_user(self.request.user).select_related("visit__unit")

    def _rows(self, recs: list[Recommendation]) -> list[dict[str, Any]]:
        return [ovs.recommendation_data(r) for r in _mark(recs, timezone.localdate())]

    def list(self, request: Request) -> Response:
        f = _filters(ovs.RecommendationFilterSerializer, request)
        qs = self.get_queryset()
        if "unit" in f:
            unit = _readable_unit(request.user, f["unit"])
            qs = qs.filter(visit__plan__unit__in=_subtree(unit))
        done = Assignment.objects.filter(task_id=OuterRef("task_id"), state="done")
        state = f.get("state")
        if state == Recommendation.State.CLOSED:
            qs = qs.filter(closed_on__isnull=False)
        elif state == Recommendation.State.AWAITING:
            qs = qs.filter(closed_on__isnull=True).filter(Exists(done))
        elif state == Recommendation.State.OPEN:
            qs = qs.filter(closed_on__isnull=True).exclude(Exists(done))
        page = list(self.paginate_queryset(qs.order_by("visit__ends_on", "due_date", "pk")))
        return self.get_paginated_response(self._rows(page))

    def retrieve(self, request: Request, pk: str) -> Response:
        rec = get_recommendation_for_user(request.user, pk)
        return Response(self._rows([rec])[0])

    @extend_schema(
        summary="Verify a recommendation closed (its follow-up task must be done)",
        request=ovs.NoteSerializer,
        responses={200: ovs.RecommendationSerializer, 400: _DOMAIN_ERROR},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        rec = get_recommendation_for_user(request.user, pk, act=True)
        form = ovs.NoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.recommendation_verify(
            recommendation=rec, by=request.user, note=form.validated_data.get("note", "")
        )
        return Response(self._rows([get_recommendation_for_user(request.user, pk)])[0])

    @extend_schema(
        summary="Return a recommendation: its follow-up task is reopened with the reason",
        request=ovs.NoteSerializer,
        responses={200: ovs.RecommendationSerializer, 400: _DOMAIN_ERROR},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        rec = get_recommendation_for_user(request.user, pk, act=True)
        form = ovs.NoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.recommendation_return(
            recommendation=rec, by=request.user, reason=form.validated_data.get("note", "")
        )
        return Response(self._rows([get_recommendation_for_user(request.user, pk)])[0])


# --- roll-up ---------------------------------------------------------------------------------


def _figures(fig: Figures) -> dict[str, Any]:
    return {
        "plans": fig.plans,
        "planned": fig.planned,
        "planned_visited": fig.planned_visited,
        "unplanned": fig.unplanned,
        "targets": fig.targets,
        "never_visited": fig.never_visited,
        "open_by_age": dict(fig.open_by_age),
        "awaiting": fig.awaiting,
        "overdue": fig.overdue,
        "closed": fig.closed,
    }


class OversightRollupViewSet(viewsets.ViewSet):
    lookup_url_kwarg = "unit_id"
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="Planned vs done visits, targets never visited, open recommendations by age",
        parameters=[
            OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            ovs.OversightFilterSerializer,
        ],
        responses=ovs.OversightSerializer,
    )
    def retrieve(self, request: Request, unit_id: str) -> Response:
        unit = _readable_unit(request.user, unit_id)
        f = _filters(ovs.OversightFilterSerializer, request)
        r = oversight(unit, f.get("year", timezone.localdate().year))
        return Response(
            {
                "unit": UnitRefSerializer(unit).data,
                "year": r.year,
                "figures": _figures(r.figures),
                "own": _figures(r.own.figures) if r.own else None,
                "children": [
                    {"unit": UnitRefSerializer(row.unit).data, "figures": _figures(row.figures)}
                    for row in r.children
                ],
            }
        )

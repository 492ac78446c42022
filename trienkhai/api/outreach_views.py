"""API v1 of study and dissemination: sessions, public information items, coverage.

Same shape as tasks_views.py: lists start from the user's scoped queryset and narrow it with
allow-listed filters; single objects come from the ``get_*_for_user`` helpers (404 outside
the reach); writes call the outreach services, whose DomainError becomes a 400 with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from trienkhai.api import outreach_serializers as os_
from trienkhai.api.serializers import UnitRefSerializer
from trienkhai.api.tasks_views import CascadePagination, _readable_unit, _visible_documents
from trienkhai.api.views import _filters
from trienkhai.outreach import services
from trienkhai.outreach.models import GROUPS, HEADCOUNT_GROUPS, PublicOutreach, StudySession
from trienkhai.outreach.selectors import (
    ALL_TOPICS_RULE,
    Counts,
    all_topics,
    coverage,
    get_outreach_for_user,
    get_session_for_user,
    outreach_for_user,
    sessions_for_user,
    study_topic_for_user,
    topic_choices,
    topics_of,
    units_without_session,
)
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit

_DOMAIN_ERROR = OpenApiResponse(description="A rule said no: {detail, code, field}.")


def delete_reason(request: Request) -> str:
    """The reason of a delete: in the body, or as ``?reason=`` for clients that send none."""
    data = request.data if hasattr(request.data, "get") and request.data else request.query_params
    form = os_.DeleteSerializer(data={"reason": data.get("reason", "")})
    form.is_valid(raise_exception=True)
    return form.validated_data["reason"]


class RecordViewSet(viewsets.GenericViewSet):
    """The steps the record endpoints of study and oversight share; a subclass gives
    ``_data(objects, many=False)``, the API's view of rows of its scoped queryset."""

    def _data(self, objects: list[Any], many: bool = False) -> Any:
        raise NotImplementedError

    def _input(self, serializer_class: type[Serializer]) -> Serializer:
        """The request's body, validated (a 400 with the fields' errors otherwise)."""
        form = serializer_class(data=self.request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        return form

    def _shown(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        """The object as the API shows it, read again through the scoped queryset."""
        return Response(self._data(list(self.get_queryset().filter(pk=pk))), status=status_code)

    def _deleted(self, delete: Callable[..., Any], **target: Any) -> Response:
        """``delete`` the target with the request's reason: 204, or a 400 with a reason."""
        delete(**target, by=self.request.user, reason=delete_reason(self.request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _subtree(qs: QuerySet, unit: Unit) -> QuerySet:
    return qs.filter(unit__in=Unit.objects.subtree_of(unit).order_by().values("pk"))


# --- sessions --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Study sessions you may read",
        parameters=[os_.StudySessionFilterSerializer],
        responses=os_.StudySessionSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One study session", responses=os_.StudySessionSerializer),
    create=extend_schema(
        summary="Record a session of a unit you act for (files: multipart)",
        request={
            "application/json": os_.StudySessionCreateSerializer,
            "multipart/form-data": os_.StudySessionCreateSerializer,
        },
        responses={201: os_.StudySessionSerializer, 400: _DOMAIN_ERROR},
    ),
    partial_update=extend_schema(
        summary="Correct a session of a unit you act for (fields left out keep their value)",
        request={
            "application/json": os_.StudySessionUpdateSerializer,
            "multipart/form-data": os_.StudySessionUpdateSerializer,
        },
        responses={200: os_.StudySessionSerializer, 400: _DOMAIN_ERROR},
    ),
    destroy=extend_schema(
        summary="Delete a session recorded by mistake (the reason stays in its history)",
        request=os_.DeleteSerializer,
        parameters=[OpenApiParameter("reason", OpenApiTypes.STR, description="If no body.")],
        responses={204: None, 400: _DOMAIN_ERROR},
    ),
)
class StudySessionViewSet(RecordViewSet):
    serializer_class = os_.StudySessionSerializer
    pagination_class = CascadePagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = StudySession.objects.none()  # for the schema; requests use sessions_for_user
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[StudySession]:
        return (
            sessions_for_user(self.request.user)
            .select_related("unit", "topic")
            .prefetch_related("documents", "files")
        )

    def _data(self, sessions: list[StudySession], many: bool = False) -> Any:
        ids = {d.pk for s in sessions for d in s.documents.all()}
        ctx = {
            **self.get_serializer_context(),
            "visible_documents": _visible_documents(self.request.user, ids),
        }
        if many:
            return os_.StudySessionSerializer(sessions, many=True, context=ctx).data
        return os_.StudySessionSerializer(sessions[0], context=ctx).data

    def list(self, request: Request) -> Response:
        f = _filters(os_.StudySessionFilterSerializer, request)
        qs = self.get_queryset()
        if "unit" in f:
            qs = _subtree(qs, _readable_unit(request.user, f["unit"]))
        if "topic" in f:
            qs = qs.filter(topic_id=f["topic"])
        if "form" in f:
            qs = qs.filter(form=f["form"])
        if "held_after" in f:
            qs = qs.filter(held_on__gte=f["held_after"])
        if "held_before" in f:
            qs = qs.filter(held_on__lte=f["held_before"])
        if "q" in f:
            qs = qs.search(f["q"])
        qs = qs.order_by(*os_.SESSION_ORDERINGS[f.get("ordering", "-held_on")])
        page = list(self.paginate_queryset(qs))
        return self.get_paginated_response(self._data(page, many=True))

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._shown(get_session_for_user(request.user, pk).pk)

    def create(self, request: Request) -> Response:
        form = self._input(os_.StudySessionCreateSerializer)
        d = form.validated_data
        session = services.session_record(
            assignment=d["assignment"],
            by=request.user,
            documents=d["documents"],
            attendance=form.attendance(),
            files=d.get("files", []),
            completed=d.get("completed", False),
            reason=d.get("reason", ""),
            **form.fields_for_service(),
        )
        return self._shown(session.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        s = get_session_for_user(request.user, pk, write=True)
        d = self._input(os_.StudySessionUpdateSerializer).validated_data
        services.session_update(
            session=s,
            by=request.user,
            documents=d["documents"] if "documents" in d else list(s.documents.all()),
            attendance={g: d.get(g, getattr(s, g)) for g in GROUPS},
            files=d.get("files", []),
            version=d.get("version"),
            **{k: d.get(k, getattr(s, k)) for k in services.SESSION_FIELDS},
        )
        return self._shown(s.pk)

    def destroy(self, request: Request, pk: str) -> Response:
        s = get_session_for_user(request.user, pk, write=True)
        return self._deleted(services.session_delete, session=s)


# --- public information ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Public information items you may read",
        parameters=[os_.PublicOutreachFilterSerializer],
        responses=os_.PublicOutreachSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One item", responses=os_.PublicOutreachSerializer),
    create=extend_schema(
        summary="Record an article, broadcast or event of a unit you act for",
        request=os_.PublicOutreachCreateSerializer,
        responses={201: os_.PublicOutreachSerializer, 400: _DOMAIN_ERROR},
    ),
    partial_update=extend_schema(
        summary="Correct an item of a unit you act for (fields left out keep their value)",
        request=os_.PublicOutreachUpdateSerializer,
        responses={200: os_.PublicOutreachSerializer, 400: _DOMAIN_ERROR},
    ),
    destroy=extend_schema(
        summary="Delete an item recorded by mistake (the reason stays in its history)",
        request=os_.DeleteSerializer,
        parameters=[OpenApiParameter("reason", OpenApiTypes.STR, description="If no body.")],
        responses={204: None, 400: _DOMAIN_ERROR},
    ),
)
class PublicOutreachViewSet(RecordViewSet):
    serializer_class = os_.PublicOutreachSerializer
    pagination_class = CascadePagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = PublicOutreach.objects.none()  # for the schema; requests use outreach_for_user

    def get_queryset(self) -> QuerySet[PublicOutreach]:
        return (
            outreach_for_user(self.request.user)
            .select_related("unit")
            .prefetch_related("documents")
        )

    def _data(self, items: list[PublicOutreach], many: bool = False) -> Any:
        ids = {d.pk for i in items for d in i.documents.all()}
        ctx = {
            **self.get_serializer_context(),
            "visible_documents": _visible_documents(self.request.user, ids),
        }
        if many:
            return os_.PublicOutreachSerializer(items, many=True, context=ctx).data
        return os_.PublicOutreachSerializer(items[0], context=ctx).data

    def list(self, request: Request) -> Response:
        f = _filters(os_.PublicOutreachFilterSerializer, request)
        qs = self.get_queryset()
        if "unit" in f:
            qs = _subtree(qs, _readable_unit(request.user, f["unit"]))
        if "kind" in f:
            qs = qs.filter(kind=f["kind"])
        if "q" in f:
            qs = qs.search(f["q"])
        qs = qs.order_by(*os_.OUTREACH_ORDERINGS[f.get("ordering", "-held_on")])
        page = list(self.paginate_queryset(qs))
        return self.get_paginated_response(self._data(page, many=True))

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._shown(get_outreach_for_user(request.user, pk).pk)

    def create(self, request: Request) -> Response:
        d = dict(self._input(os_.PublicOutreachCreateSerializer).validated_data)
        unit = _readable_unit(request.user, d.pop("unit"))  # the service checks who acts
        item = services.outreach_record(
            unit=unit,
            by=request.user,
            documents=d.pop("documents", []),
            kind=d["kind"],
            title=d["title"],
            held_on=d["held_on"],
            channel=d.get("channel", ""),
            audience=d.get("audience"),
            summary=d.get("summary", ""),
        )
        return self._shown(item.pk, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        item = get_outreach_for_user(request.user, pk, write=True)
        d = self._input(os_.PublicOutreachUpdateSerializer).validated_data
        services.outreach_update(
            item=item,
            by=request.user,
            documents=d["documents"] if "documents" in d else list(item.documents.all()),
            version=d.get("version"),
            **{k: d.get(k, getattr(item, k)) for k in services.OUTREACH_FIELDS},
        )
        return self._shown(item.pk)

    def destroy(self, request: Request, pk: str) -> Response:
        item = get_outreach_for_user(request.user, pk, write=True)
        return self._deleted(services.outreach_delete, item=item)


# --- coverage --------------------------------------------------------------------------------


def _counts(c: Counts) -> dict[str, Any]:
    return {
        "groups": {
            g: {
                "headcount": c.headcount[g],
                "attended": c.attended[g],
                "covered": c.covered[g],
                "percent": c.percent(g),
            }
            for g in HEADCOUNT_GROUPS
        },
        "percent": c.overall,
        "public_attended": c.attended["public"],
        "sessions": c.sessions,
        "units": c.units,
        "units_held": c.held,
        "units_without": c.without,
        "items": dict(c.items),
        "audience": c.audience,
    }


def _unit_ref(unit: Unit) -> dict[str, Any]:
    return UnitRefSerializer(unit).data


def _topic_of(request: Request, unit: Unit, f: dict[str, Any]) -> Task | None:
    if "topic" in f:
        return study_topic_for_user(request.user, f["topic"])
    topics = topics_of(unit, limit=1)
    return topics[0] if topics else None


class CoverageViewSet(viewsets.ViewSet):
    lookup_url_kwarg = "unit_id"
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="Coverage of a unit's subtree and of each child's subtree, for a study topic",
        parameters=[
            OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            os_.CoverageFilterSerializer,
        ],
        responses=os_.CoverageSerializer,
    )
    def retrieve(self, request: Request, unit_id: str) -> Response:
        unit = _readable_unit(request.user, unit_id)
        f = _filters(os_.CoverageFilterSerializer, request)
        topic = _topic_of(request, unit, f)
        cov = coverage(unit, topic)
        return Response(
            {
                "unit": _unit_ref(unit),
                "topic": {"id": topic.pk, "title": topic.title} if topic else None,
                "counts": _counts(cov.counts),
                "children": [
                    {"unit": _unit_ref(r.unit), "counts": _counts(r.counts)} for r in cov.children
                ],
            }
        )

    @extend_schema(
        summary="Units of the subtree with people and no session on the topic (paginated)",
        parameters=[
            OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            os_.CoverageFilterSerializer,
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=UnitRefSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def without(self, request: Request, unit_id: str) -> Response:
        unit = _readable_unit(request.user, unit_id)
        f = _filters(os_.CoverageFilterSerializer, request)
        topic = _topic_of(request, unit, f)
        paginator = CascadePagination()
        page = paginator.paginate_queryset(units_without_session(unit, topic), request, view=self)
        return paginator.get_paginated_response(UnitRefSerializer(page, many=True).data)

    @extend_schema(
        summary="Coverage of a unit's subtree by any study topic, capped per unit, and per topic",
        parameters=[OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=os_.AllTopicsSerializer,
    )
    @action(detail=True, methods=["get"], url_path="all-topics", url_name="all-topics")
    def all_topics(self, request: Request, unit_id: str) -> Response:
        unit = _readable_unit(request.user, unit_id)
        a = all_topics(unit, topic_choices(unit))
        return Response(
            {
                "unit": _unit_ref(unit),
                "rule": str(ALL_TOPICS_RULE),
                "counts": _counts(a.counts),
                "own": _counts(a.own.counts) if a.own else None,
                "children": [
                    {"unit": _unit_ref(r.unit), "counts": _counts(r.counts)} for r in a.children
                ],
                "topics": [
                    {"topic": {"id": t.pk, "title": t.title}, "counts": _counts(c)}
                    for t, c in a.topics
                ],
            }
        )

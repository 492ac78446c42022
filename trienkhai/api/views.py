"""API v1 endpoints: the same scoping functions and services as the pages.

Lists read the user's scoped queryset and narrow it with allow-listed filters; details go
through the ``get_*_for_user`` helpers (404 outside the reach); writes call the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import IntegrityError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import (
    can_manage_unit,
    can_read_unit,
    get_unit_for_user,
    units_for_user,
)
from trienkhai.accounts.second_factor import (
    check_code,
    confirmed_device,
    needs_second_factor,
    wait_seconds,
)
from trienkhai.api import serializers as s
from trienkhai.documents import services as document_services
from trienkhai.documents.models import Document
from trienkhai.documents.selectors import (
    Chain,
    document_chain,
    documents_for_user,
    get_document_for_user,
)
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create, unit_update


def _filters(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validated query parameters: only the allow-listed ones, typed, or a 400."""
    names = serializer_class._declared_fields  # the class's allow-list, without an instance
    params = {k: request.query_params.get(k) for k in names}
    f = serializer_class(data={k: v for k, v in params.items() if v is not None})
    f.is_valid(raise_exception=True)
    return {k: v for k, v in f.validated_data.items() if v not in ("", None)}


def _parent_ids(units: list[Unit], user) -> dict[int, int | None]:
    """Parent id of each unit, in one query for the whole page; None outside the reach."""
    parents = [p for p in Unit.objects.parents_of_many(units) if can_read_unit(user, p)]
    return {u.pk: next((p.pk for p in parents if p.is_parent_of(u)), None) for u in units}


# --- units -------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Units you may read",
        parameters=[s.UnitFilterSerializer],
        responses=s.UnitSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One unit", responses=s.UnitSerializer),
    create=extend_schema(
        summary="Create a unit under a parent you manage",
        request=s.UnitCreateSerializer,
        responses={201: s.UnitSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a unit you manage",
        request=s.UnitUpdateSerializer,
        responses=s.UnitSerializer,
    ),
)
class UnitViewSet(viewsets.GenericViewSet):
    serializer_class = s.UnitSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Unit.objects.none()  # for the schema; requests use units_for_user

    def get_queryset(self):
        return units_for_user(self.request.user)

    def get_object(self) -> Unit:
        return get_unit_for_user(self.request.user, self.kwargs["pk"])

    def _page(self, qs) -> Response:
        page = list(self.paginate_queryset(qs))
        data = s.UnitSerializer(
            page,
            many=True,
            context={
                **self.get_serializer_context(),
                "parent_ids": _parent_ids(page, self.request.user),
            },
        ).data
        return self.get_paginated_response(data)

    def list(self, request: Request) -> Response:
        f = _filters(s.UnitFilterSerializer, request)
        qs = self.get_queryset()
        if "parent" in f:
            qs = qs.children_of(get_unit_for_user(request.user, f["parent"]))
        if "kind" in f:
            qs = qs.of_kind(f["kind"])
        if "code" in f:
            qs = qs.filter(code=f["code"])
        if "q" in f:
            qs = qs.search(f["q"])
        return self._page(qs)

    def retrieve(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        ctx = {**self.get_serializer_context(), "parent_ids": _parent_ids([unit], request.user)}
        return Response(s.UnitSerializer(unit, context=ctx).data)

    def create(self, request: Request) -> Response:
        form = s.UnitCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        parent = fields.pop("parent")
        if not can_manage_unit(request.user, parent):
            raise PermissionDenied(_("Only a leader of this unit or above may add units to it."))
        try:
            unit = unit_create(parent=parent, **fields)
        except IntegrityError:
            raise ValidationError({"code": [_("Another unit already has this code.")]})
        ctx = {**self.get_serializer_context(), "parent_ids": _parent_ids([unit], request.user)}
        return Response(s.UnitSerializer(unit, context=ctx).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        if not can_manage_unit(request.user, unit):
            raise PermissionDenied(_("Only a leader of this unit or above may change it."))
        form = s.UnitUpdateSerializer(
            instance=unit, data=request.data, partial=True, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        try:
            unit = unit_update(unit=unit, **form.validated_data)
        except IntegrityError:
            raise ValidationError({"code": [_("Another unit already has this code.")]})
        ctx = {**self.get_serializer_context(), "parent_ids": _parent_ids([unit], request.user)}
        return Response(s.UnitSerializer(unit, context=ctx).data)

    @extend_schema(summary="Children of a unit", responses=s.UnitSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        return self._page(self.get_queryset().children_of(unit))

    @extend_schema(
        summary="Ancestors of a unit you may read, root first",
        responses=s.UnitSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def ancestors(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        units = list(Unit.objects.ancestors_of(unit))
        units = [u for u in units if can_read_unit(request.user, u)]
        ctx = {**self.get_serializer_context(), "parent_ids": _parent_ids(units, request.user)}
        return Response(s.UnitSerializer(units, many=True, context=ctx).data)


# --- documents -----------------------------------------------------------------


def _flatten(chain: Chain, start: Document) -> list[tuple[int, int, int]]:
    """(document id, level, id of the document it was reached through), breadth first."""
    rows: list[tuple[int, int, int]] = []
    level, current = 1, [(node, start.pk) for node in chain.nodes]
    while current:
        rows.extend((node.document.pk, level, via) for node, via in current)
        current = [(child, node.document.pk) for node, _via in current for child in node.children]
        level += 1
    return rows


@extend_schema_view(
    list=extend_schema(
        summary="Documents you may read",
        parameters=[s.DocumentFilterSerializer],
        responses=s.DocumentListSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One document", responses=s.DocumentSerializer),
    create=extend_schema(
        summary="Register a document for a unit you act for",
        request=s.DocumentCreateSerializer,
        responses={201: s.DocumentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a document of a unit you act for",
        request=s.DocumentUpdateSerializer,
        responses=s.DocumentSerializer,
    ),
)
class DocumentViewSet(viewsets.GenericViewSet):
    serializer_class = s.DocumentSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Document.objects.none()  # for the schema; requests use documents_for_user

    def get_queryset(self):
        return (
            documents_for_user(self.request.user)
            .select_related("owner", "issuer_unit")
            .prefetch_related("implements", "files")
        )

    def get_object(self, *, write: bool = False) -> Document:
        return get_document_for_user(self.request.user, self.kwargs["pk"], write=write)

    def _context(self, docs: list[Document]) -> dict[str, Any]:
        linked = {d.pk for doc in docs for d in doc.implements.all()}
        visible = set(
            documents_for_user(self.request.user).filter(pk__in=linked).values_list("pk", flat=True)
        )
        return {**self.get_serializer_context(), "visible_implements": visible}

    def _one(self, doc: Document, *, code: int = status.HTTP_200_OK) -> Response:
        doc = self.get_queryset().get(pk=doc.pk)
        return Response(s.DocumentSerializer(doc, context=self._context([doc])).data, status=code)

    def list(self, request: Request) -> Response:
        f = _filters(s.DocumentFilterSerializer, request)
        qs = self.get_queryset()
        if "type" in f:
            qs = qs.filter(type_code=f["type"])
        if "issuer" in f:
            qs = qs.filter(issuer_code=f["issuer"])
        if "year" in f:
            qs = qs.of_year(f["year"])
        if "q" in f:
            qs = qs.search(f["q"])
        page = list(self.paginate_queryset(qs))
        data = s.DocumentListSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._one(self.get_object())

    def create(self, request: Request) -> Response:
        form = s.DocumentCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        # The service decides whether the user may act for the owner (DomainError → 400).
        doc = document_services.document_create(by=request.user, **form.validated_data)
        return self._one(doc, code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        doc = self.get_object(write=True)
        form = s.DocumentUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        implements = fields.pop("implements", None)
        doc = document_services.document_update(document=doc, by=request.user, **fields)
        if implements is not None:
            self._relink(doc, implements)
        return self._one(doc)

    def _relink(self, doc: Document, wanted: list[Document]) -> None:
        """Make the links the user can see match ``wanted``; links they cannot see stay."""
        visible = documents_for_user(self.request.user)
        current = {d.pk: d for d in doc.implements.filter(pk__in=visible.values("pk"))}
        wanted_ids = {d.pk for d in wanted}
        for target in wanted:
            if target.pk not in current:
                document_services.document_link(
                    document=doc, implements=target, by=self.request.user
                )
        for pk, target in current.items():
            if pk not in wanted_ids:
                document_services.document_unlink(
                    document=doc, implements=target, by=self.request.user
                )

    @extend_schema(
        summary="What a document implements (ancestors) and what implements it (descendants)",
        responses=s.DocumentChainSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def chain(self, request: Request, pk: str) -> Response:
        doc = self.get_object()
        # The documents app's chain: hidden documents, and what lies only beyond them, are left out.
        up = _flatten(document_chain(request.user, doc, up=True), doc)
        down = _flatten(document_chain(request.user, doc, up=False), doc)
        ids = {doc.pk} | {row[0] for row in up + down}
        by_id = {d.pk: d for d in self.get_queryset().filter(pk__in=ids)}
        ctx = {
            **self._context(list(by_id.values())),
            "levels": {i: level for i, level, _via in up + down},
            "via": {i: via for i, _level, via in up + down},
        }
        return Response(
            {
                "document": s.DocumentListSerializer(by_id[doc.pk], context=ctx).data,
                "ancestors": s.ChainEntrySerializer(
                    [by_id[i] for i, _l, _v in up if i in by_id], many=True, context=ctx
                ).data,
                "descendants": s.ChainEntrySerializer(
                    [by_id[i] for i, _l, _v in down if i in by_id], many=True, context=ctx
                ).data,
            }
        )


# --- tokens --------------------------------------------------------------------


def _second_factor_refusal(request, user, code: str) -> str:
    """Why a leader's or an administrator's token request lacks its second factor ("" when
    the code is right)."""
    device = confirmed_device(user)
    if device is None:
        return _("Set up your authenticator app on the website first, then ask for a token.")
    if not code:
        return _('Send the current code of your authenticator app in "otp".')
    if wait_seconds(device):
        return _("Too many wrong codes. Wait a little, then try again.")
    if not check_code(device, code):
        audit(AuditEvent.Kind.SECOND_FACTOR_FAILED, request=request, user=user, via="api-token")
        return _("This code is not right. Send the newest code of your authenticator app.")
    return ""


class TokenThrottle(AnonRateThrottle):
    scope = "anon"


@extend_schema(
    summary="Exchange a username and password for an API token",
    request=s.TokenRequestSerializer,
    responses={
        200: s.TokenSerializer,
        400: OpenApiResponse(
            description="Wrong username or password, or (leaders, administrators) a missing"
            " or wrong authenticator code in `otp`."
        ),
        429: OpenApiResponse(description="Too many failed attempts."),
    },
    auth=[],
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request: Request) -> Response:
    form = s.TokenRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    # The plain Django request, so django-axes counts failures and locks the username.
    django_request = request._request
    user = authenticate(
        request=django_request,
        username=form.validated_data["username"],
        password=form.validated_data["password"],
    )
    if getattr(django_request, "axes_locked_out", False):
        # Answer in JSON ourselves instead of axes' HTML lockout page.
        django_request.axes_locked_out = False
        return Response(
            {"detail": _("Too many failed attempts. Try again in 15 minutes.")},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
    if user is None or not user.is_active:
        return Response(
            {"detail": _("Wrong username or password.")}, status=status.HTTP_400_BAD_REQUEST
        )
    if needs_second_factor(user):
        refusal = _second_factor_refusal(django_request, user, form.validated_data.get("otp", ""))
        if refusal:
            return Response({"detail": refusal, "field": "otp"}, status=status.HTTP_400_BAD_REQUEST)
    token, _created = Token.objects.get_or_create(user=user)
    audit(AuditEvent.Kind.LOGIN, request=django_request, user=user, via="api-token")
    return Response({"token": token.key})

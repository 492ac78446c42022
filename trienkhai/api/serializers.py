"""API shapes. No business rules here: services decide, serializers only check input types.

Query-string filters are serializers too, so a malformed filter is a 400 with a reason and
only the fields listed here ever reach a queryset.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trienkhai.documents.models import Document, DocumentFile
from trienkhai.units.models import Unit

MAX_QUERY = 200
MAX_ID = 2**53  # larger ids cannot exist and would overflow some database integer types
_ID = re.compile(r"[0-9]{1,16}")


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key the user may only point inside their reach.

    The queryset comes from a callable given the request's user, so an object outside the
    reach reads exactly like one that does not exist.
    """

    def __init__(self, *, scope, **kwargs: Any) -> None:
        self.scope = scope
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.scope(request.user if request else None)

    def to_internal_value(self, data):
        # Only plain ids: no floats, dicts, lists or numbers past what a database stores.
        if isinstance(data, bool) or not _ID.fullmatch(str(data)) or int(data) > MAX_ID:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(int(data))

    def use_pk_only_optimization(self) -> bool:
        return True


def _units_scope(user):
    from trienkhai.accounts.scoping import units_for_user

    return units_for_user(user)


def _issuer_scope(user):
    from trienkhai.documents.selectors import issuer_units_for_user

    return issuer_units_for_user(user)


def _documents_scope(user):
    from trienkhai.documents.selectors import documents_for_user

    return documents_for_user(user)


# --- units -------------------------------------------------------------------


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "kind"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField(
        help_text=_("Id of the parent unit, if you may read it.")
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    has_children = serializers.SerializerMethodField()
    successor = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "code",
            "parent",
            "has_children",
            "cadres",
            "party_members",
            "union_members",
            "association_members",
            "active_from",
            "dissolved_on",
            "successor",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent(self, unit: Unit) -> int | None:
        # Filled by the view for the whole page, and None for a parent outside the reach.
        return self.context.get("parent_ids", {}).get(unit.pk)

    def get_has_children(self, unit: Unit) -> bool:
        return unit.numchild > 0


class _UnitWriteBase(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    short_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
    cadres = serializers.IntegerField(min_value=0, max_value=10**9, required=False)
    party_members = serializers.IntegerField(min_value=0, max_value=10**9, required=False)
    union_members = serializers.IntegerField(min_value=0, max_value=10**9, required=False)
    association_members = serializers.IntegerField(min_value=0, max_value=10**9, required=False)
    active_from = serializers.DateField(required=False, allow_null=True)
    dissolved_on = serializers.DateField(required=False, allow_null=True)

    def validate_name(self, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise serializers.ValidationError(_("The name cannot be empty."))
        return value

    def validate_code(self, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is None:
            return None
        others = Unit.objects.filter(code=value)
        current = getattr(self, "instance", None)
        if current is not None:
            others = others.exclude(pk=current.pk)
        if others.exists():
            raise serializers.ValidationError(_("Another unit already has this code."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = getattr(self, "instance", None)
        start = attrs.get("active_from", current.active_from if current else None)
        end = attrs.get("dissolved_on", current.dissolved_on if current else None)
        if start and end and end < start:
            raise serializers.ValidationError(
                {"dissolved_on": _("The dissolution date cannot be before the start date.")}
            )
        return attrs


class UnitCreateSerializer(_UnitWriteBase):
    parent = ScopedPrimaryKeyField(scope=_units_scope, help_text=_("Id of the parent unit."))
    kind = serializers.ChoiceField(choices=Unit.Kind.choices)


class UnitUpdateSerializer(_UnitWriteBase):
    name = serializers.CharField(max_length=255, required=False)


class UnitFilterSerializer(serializers.Serializer):
    """The only query parameters the unit list understands; anything else is ignored."""

    kind = serializers.ChoiceField(choices=Unit.Kind.choices, required=False)
    parent = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("Only the children of this unit."),
    )
    q = serializers.CharField(
        max_length=MAX_QUERY,
        required=False,
        allow_blank=True,
        help_text=_("Words of the name, with or without diacritics."),
    )
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)


# --- documents -----------------------------------------------------------------


class DocumentFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentFile
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    owner = UnitRefSerializer(read_only=True)
    issuer_unit = UnitRefSerializer(read_only=True)
    issuer = serializers.SerializerMethodField(help_text=_("Name of the issuing body."))
    implements = serializers.SerializerMethodField(
        help_text=_("Ids of the documents this one implements that you may read.")
    )
    files = DocumentFileSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "symbol",
            "number",
            "type_code",
            "issuer_code",
            "year",
            "term",
            "title",
            "issue_date",
            "summary",
            "text",
            "visibility",
            "issuer",
            "issuer_unit",
            "owner",
            "implements",
            "files",
            "created",
        ]
        read_only_fields = fields

    def get_issuer(self, doc: Document) -> str:
        return doc.issuer_unit.name if doc.issuer_unit_id else doc.issuer_name

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_implements(self, doc: Document) -> list[int]:
        visible: set[int] | None = self.context.get("visible_implements")
        ids = [d.pk for d in doc.implements.all()]
        if visible is not None:
            return [i for i in ids if i in visible]
        return ids


class DocumentListSerializer(DocumentSerializer):
    """The list leaves out the full text, which may be long."""

    class Meta(DocumentSerializer.Meta):
        fields = [f for f in DocumentSerializer.Meta.fields if f != "text"]
        read_only_fields = fields


class _DocumentWriteBase(serializers.Serializer):
    symbol = serializers.CharField(max_length=80, required=False, allow_blank=True)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    issue_date = serializers.DateField(required=False, allow_null=True)
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    text = serializers.CharField(max_length=500_000, required=False, allow_blank=True)
    issuer_unit = ScopedPrimaryKeyField(scope=_issuer_scope, required=False, allow_null=True)
    issuer_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Document.Visibility.choices, required=False)
    implements = ScopedPrimaryKeyField(scope=_documents_scope, many=True, required=False)
    term = serializers.CharField(max_length=10, required=False, allow_blank=True)

    def validate_implements(self, value: list[Document]) -> list[Document]:
        if len(value) > 100:
            raise serializers.ValidationError(_("A document can implement at most 100 others."))
        return value


class DocumentCreateSerializer(_DocumentWriteBase):
    owner = ScopedPrimaryKeyField(
        scope=_units_scope, help_text=_("Id of the unit registering the document.")
    )


class DocumentUpdateSerializer(_DocumentWriteBase):
    owner = ScopedPrimaryKeyField(scope=_units_scope, required=False)


class DocumentFilterSerializer(serializers.Serializer):
    """The only query parameters the document list understands; anything else is ignored."""

    type = serializers.CharField(
        max_length=10, required=False, allow_blank=True, help_text=_("Type code, e.g. NQ, KH.")
    )
    issuer = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text=_("Issuer code, e.g. TW, TU.")
    )
    year = serializers.IntegerField(min_value=1900, max_value=2200, required=False)
    q = serializers.CharField(
        max_length=MAX_QUERY,
        required=False,
        allow_blank=True,
        help_text=_("Words of the symbol, summary or issuer, with or without diacritics."),
    )


class ChainEntrySerializer(DocumentListSerializer):
    """A document in a chain, with how far it is and through which document it was reached."""

    level = serializers.SerializerMethodField(help_text=_("1 for a direct link, 2 beyond it…"))
    via = serializers.SerializerMethodField(
        help_text=_("Id of the document through which this one is linked.")
    )

    class Meta(DocumentListSerializer.Meta):
        fields = [*DocumentListSerializer.Meta.fields, "level", "via"]
        read_only_fields = fields

    def get_level(self, doc: Document) -> int:
        return self.context["levels"][doc.pk]

    def get_via(self, doc: Document) -> int:
        return self.context["via"][doc.pk]


class DocumentChainSerializer(serializers.Serializer):
    document = DocumentListSerializer()
    ancestors = ChainEntrySerializer(many=True, help_text=_("What the document implements."))
    descendants = ChainEntrySerializer(many=True, help_text=_("What implements the document."))


# --- tokens --------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text=_(
            "Leaders and administrators: the current 6-digit code of their authenticator app"
            " (set up on the website)."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()

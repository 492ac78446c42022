"""The document registry: resolutions, guidance, letters, plans, reports and their chain."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from trienkhai.vntext.text import fold


class DocumentQuerySet(models.QuerySet):
    def public(self) -> DocumentQuerySet:
        return self.filter(visibility=Document.Visibility.PUBLIC)

    def search(self, query: str) -> DocumentQuerySet:
        """Accent-insensitive search over symbol, type, title, summary and issuer.

        Every word must match; symbols match however they are typed ("52-NQ/TW",
        "52 NQ TW", "52 - NQ/TƯ").
        """
        qs = self
        for word in search_words(query):
            qs = qs.filter(search_text__contains=word)
        return qs

    def of_year(self, year: int) -> DocumentQuerySet:
        return self.filter(issue_date__year=year)


class Document(models.Model):
    """A document with its symbol split into parts, and the documents it implements."""

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        PUBLIC = "public", _("Public")

    symbol = models.CharField(
        _("symbol"),
        max_length=80,
        blank=True,
        help_text=_("As printed, e.g. 52-NQ/TW or 09/2019/NĐ-CP."),
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    type_code = models.CharField(_("type"), max_length=10, blank=True, db_index=True)
    issuer_code = models.CharField(_("issuer code"), max_length=30, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(_("year in symbol"), null=True, blank=True)
    term = models.CharField(_("term"), max_length=10, blank=True, help_text=_("e.g. XII"))
    title = models.CharField(pgettext_lazy("document", "title"), max_length=500, blank=True)
    issuer_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("issuing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    issuer_name = models.CharField(_("issuer"), max_length=255, blank=True)
    owner = models.ForeignKey(
        "units.Unit",
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registered_documents",
        help_text=_("The unit that registered the document; it decides who may edit it."),
    )
    issue_date = models.DateField(_("issue date"), null=True, blank=True, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    text = models.TextField(_("text"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    implements = models.ManyToManyField(
        "self",
        verbose_name=_("implements"),
        symmetrical=False,
        blank=True,
        related_name="implemented_by",
    )
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[implements])

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-issue_date"], name="document_owner_date"),
            models.Index(fields=["type_code", "issuer_code", "number"], name="document_symbol"),
        ]

    def __str__(self) -> str:
        return self.symbol or self.title or self.summary[:80] or f"#{self.pk}"

    @property
    def label(self) -> str:
        """Symbol and date, as officials cite a document."""
        if self.symbol and self.issue_date:
            return f"{self.symbol} ({self.issue_date:%d/%m/%Y})"
        return str(self)

    def refresh_search_text(self) -> None:
        issuer = self.issuer_unit.name if self.issuer_unit_id else self.issuer_name
        type_name = type_name_of(self.type_code)
        # The symbol parts as separate words, so "52 NQ TW" and "52-NQ/TW" both find it.
        parts = f"{self.number} {self.type_code} {self.issuer_code} {self.year or ''}"
        self.search_text = fold(
            f"{self.symbol} {self.symbol.replace(' ', '')} {parts} {type_name} {self.title}"
            f" {self.summary} {issuer} {self.issuer_name}"
        )

    @property
    def type_name(self) -> str:
        """The type's Vietnamese name (Nghị quyết, Hướng dẫn…), or the code itself."""
        return type_name_of(self.type_code)


_WORD_SPLIT = re.compile(r"[\s/\\\-–—.,;:()\[\]\"'“”]+")
MAX_SEARCH_WORDS = 8


def search_words(query: str) -> list[str]:
    """The folded words of a search box, symbol separators dropped, TƯ read as TW."""
    query = (query or "")[:200]
    # "TƯ" folds to "tu", which would miss a registered "TW": normalize before folding.
    query = re.sub(r"(?<=/)\s*T[Ưư]\b", "TW", query)
    words = [w[:50] for w in _WORD_SPLIT.split(fold(query)) if w]
    return words[:MAX_SEARCH_WORDS]


def type_name_of(code: str) -> str:
    from trienkhai.vntext.symbols import SYMBOL_TYPES

    return SYMBOL_TYPES.get(code, code) if code else ""


def _upload_to(instance: DocumentFile, filename: str) -> str:
    # The caller picks a random name; keep files in per-month folders.
    today = dt.date.today()
    return f"documents/{today:%Y/%m}/{filename}"


class DocumentFile(models.Model):
    """A file attached to a document, stored under a random name, served through a view."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self) -> str:
        return self.original_name

"""The organization tree: every Party, State and mass organization unit."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from trienkhai.vntext.text import fold


class UnitQuerySet(MP_NodeQuerySet):
    """Reads of the tree in domain words; the only place that knows about paths."""

    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def subtrees_of(self, units: list[Unit]) -> UnitQuerySet:
        """Units inside any of the given subtrees (one OR of index range scans)."""
        if not units:
            return self.none()
        cond = Q()
        for path in _minimal_paths([u.path for u in units]):
            cond |= Q(path__startswith=path)
        return self.filter(cond)

    def ancestors_of(self, unit: Unit, *, include_self: bool = False) -> UnitQuerySet:
        paths = unit.ancestor_paths()
        if include_self:
            paths.append(unit.path)
        return self.filter(path__in=paths).order_by("depth")

    def children_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path, depth=unit.depth + 1)

    def ancestors_of_many(self, units: list[Unit]) -> UnitQuerySet:
        """Every ancestor of any of ``units`` in one query (for breadcrumbs of a result list)."""
        paths = {p for u in units for p in u.ancestor_paths()}
        return self.filter(path__in=sorted(paths)).order_by("depth") if paths else self.none()

    def parents_of_many(self, units: list[Unit]) -> UnitQuerySet:
        """The direct parents of ``units`` in one query."""
        paths = {u.parent_path for u in units if u.depth > 1}
        return self.filter(path__in=sorted(paths)) if paths else self.none()

    def roots(self) -> UnitQuerySet:
        return self.filter(depth=1)

    def active(self, on: dt.date | None = None) -> UnitQuerySet:
        on = on or dt.date.today()
        return self.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)).filter(
            Q(active_from__isnull=True) | Q(active_from__lte=on)
        )

    def of_kind(self, *kinds: str) -> UnitQuerySet:
        return self.filter(kind__in=kinds)

    def search(self, query: str) -> UnitQuerySet:
        """Accent-insensitive name search: every word must appear in the name or short name."""
        words = fold(query).split()[:8]
        qs = self
        for word in words:
            qs = qs.filter(search_text__contains=word[:50])
        return qs


def _minimal_paths(paths: list[str]) -> list[str]:
    """Drop paths already covered by a shorter prefix in the list."""
    result: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(r) for r in result):
            result.append(p)
    return result


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A body in the hierarchy: a party committee, a People's Committee, a ward…"""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        PARTY_DELEGATION = "party_delegation", _("Party delegation")
        CADRE_COMMITTEE = "cadre_committee", _("Party cadre committee")
        PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
        PEOPLES_COUNCIL = "peoples_council", _("People's Council")
        FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
        MASS_ORGANIZATION = "mass_organization", _("Mass organization")
        ADVISORY_BOARD = "advisory_board", _("Advisory board")
        DEPARTMENT = "department", _("Department")
        GRASSROOTS = "grassroots", _("Grassroots party organization")
        EXTERNAL = "external", _("External body")

    steplen = 4

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Official code, e.g. the administrative division code, unique when set."),
    )
    cadres = models.PositiveIntegerField(_("cadres"), default=0)
    party_members = models.PositiveIntegerField(_("party members"), default=0)
    union_members = models.PositiveIntegerField(_("union members"), default=0)
    association_members = models.PositiveIntegerField(_("association members"), default=0)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    # Folded name and short name, so search ignores diacritics on both databases.
    search_text = models.CharField(max_length=400, editable=False, db_index=True, default="")

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild", "search_text"])

    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(active_from__isnull=True)
                | Q(dissolved_on__gte=models.F("active_from")),
                name="unit_dissolved_after_active",
            ),
        ]
        indexes = [models.Index(fields=["depth", "path"], name="unit_depth_path")]

    def __str__(self) -> str:
        return self.name

    HEADCOUNT_FIELDS = ("cadres", "party_members", "union_members", "association_members")

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_on is not None and self.dissolved_on <= dt.date.today()

    def is_active(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        if self.active_from and self.active_from > on:
            return False
        return not (self.dissolved_on and self.dissolved_on <= on)

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit's ancestors, the root first."""
        return [self.path[: self.steplen * d] for d in range(1, self.depth)]

    @property
    def parent_path(self) -> str:
        return self.path[: self.steplen * (self.depth - 1)]

    def is_parent_of(self, other: Unit) -> bool:
        return other.depth == self.depth + 1 and other.path.startswith(self.path)

    def is_within(self, other: Unit) -> bool:
        """True if this unit is ``other`` or one of its descendants."""
        return self.path.startswith(other.path)

    def refresh_search_text(self) -> None:
        self.search_text = fold(f"{self.name} {self.short_name} {self.code or ''}")[:400]

    @property
    def headcount_total(self) -> int:
        return sum(getattr(self, f) for f in self.HEADCOUNT_FIELDS)

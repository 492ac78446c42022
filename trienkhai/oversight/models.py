"""Inspection and supervision: yearly plans, visits, and recommendations that become
follow-up tasks of the visited unit in the cascade."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trienkhai.vntext.text import fold


class Rating(models.Model):
    """One level of the scale visits conclude with (configured in the administration)."""

    label = models.CharField(_("label"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the best level."))
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["rank", "pk"]

    def __str__(self) -> str:
        return self.label


class PlanQuerySet(models.QuerySet):
    def search(self, query: str) -> PlanQuerySet:
        qs = self
        for word in fold(query or "").split()[:8]:
            qs = qs.filter(search_text__contains=word[:50])
        return qs


class Plan(models.Model):
    """A supervising unit's inspection or supervision plan for a year."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        SUPERVISION = "supervision", _("Supervision")

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("supervising unit"),
        on_delete=models.PROTECT,
        related_name="oversight_plans",
        db_index=False,  # (unit, year) leads with it
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    documents = models.ManyToManyField(
        "documents.Document", verbose_name=_("documents"), blank=True, related_name="+"
    )
    tasks = models.ManyToManyField(
        "tasks.Task", verbose_name=_("tasks"), blank=True, related_name="+"
    )
    search_text = models.TextField(editable=False, default="")
    # Bumped by every edit: an edit made on an older copy is refused, not lost.
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[documents, tasks])

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("oversight plan")
        verbose_name_plural = _("oversight plans")
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["unit", "year"], name="plan_unit_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="plan_year_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def refresh_search_text(self, unit_name: str = "") -> None:
        self.search_text = fold(f"{unit_name} {self.title} {self.description}")


class PlanTarget(models.Model):
    """A unit the plan will visit, with its planned window."""

    # Windows are part of their plan (a plan is deleted only while it has no visit).
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="plantarget_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"


class Visit(models.Model):
    """An inspection or supervision visit that took place, with its conclusion."""

    # A visit is a record of its plan, its planned window and its unit: deleting any of them
    # is refused while the visit exists (services say why), never silently cascaded.
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="visits")
    planned = models.ForeignKey(
        PlanTarget,
        verbose_name=_("planned visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit visited"),
        on_delete=models.PROTECT,
        related_name="oversight_visits",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    team = models.TextField(_("team"))
    rating = models.ForeignKey(
        Rating, verbose_name=_("conclusion"), on_delete=models.PROTECT, related_name="+"
    )
    conclusion = models.TextField(_("conclusion in words"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-ends_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="visit_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.starts_on:%d/%m/%Y}"


def _visit_upload_to(instance: VisitFile, filename: str) -> str:
    return f"oversight/{dt.date.today():%Y/%m}/{filename}"


class VisitFile(models.Model):
    """The conclusion notice, minutes or evidence of a visit; checked like document files."""

    # Part of its visit: removed with it by ``visit_delete`` (stored files included).
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_visit_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit file")
        verbose_name_plural = _("visit files")

    def __str__(self) -> str:
        return self.original_name


class Recommendation(models.Model):
    """What the visited unit must put right; followed as a task until verified closed."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        AWAITING = "awaiting", _("Reported done, awaiting verification")
        CLOSED = "closed", _("Verified closed")

    # A recommendation outlives any attempt to delete its visit or its follow-up task.
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="recommendations")
    text = models.TextField(_("recommendation"))
    due_date = models.DateField(_("due date"))
    task = models.OneToOneField(
        "tasks.Task",
        verbose_name=_("follow-up task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendation",
    )
    closed_on = models.DateField(_("verified closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(
                fields=["visit"], condition=Q(closed_on__isnull=True), name="recommendation_open"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

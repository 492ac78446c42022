"""Periodic reports: versioned forms, reporting rounds, reports and their figures.

A form (narrative sections + indicators) is versioned; a round keeps the version it started
with. A round creates one report per reporting unit, each sent to a receiver (by default the
unit's parent). A report goes draft → submitted → returned or accepted; an accepted report is
locked (services, ``save()`` here, and database triggers: migration 0002). Figures are rows,
one per (report, indicator), so a receiver's consolidation is one GROUP BY in SQL.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from trienkhai.units.models import Unit

PATH_LENGTH = Unit._meta.get_field("path").max_length
CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,19}$")
SECTION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# The outline of a report (DOMAIN.md, "Báo cáo"): results / shortcomings and causes / lessons
# / directions and tasks / recommendations.
DEFAULT_SECTIONS = [
    ("results", "Kết quả thực hiện"),
    ("shortcomings", "Hạn chế, khuyết điểm và nguyên nhân"),
    ("lessons", "Bài học kinh nghiệm"),
    ("directions", "Phương hướng, nhiệm vụ thời gian tới"),
    ("recommendations", "Kiến nghị, đề xuất"),
]


class ReportLocked(Exception):
    """Raised by the model-level guard when something tries to change an accepted report."""


# --- forms -----------------------------------------------------------------------------------


class ReportForm(models.Model):
    """A report form: what units report on, again and again (each round keeps its version)."""

    owner = models.ForeignKey(
        "units.Unit",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="report_forms",
    )
    name = models.CharField(_("name"), max_length=300)
    code = models.CharField(_("code"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> FormVersion | None:
        return self.versions.order_by("-number").first()


class FormVersion(models.Model):
    """The content of a form at one time: its sections and indicators."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["form", "number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="formversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.form} (v{self.number})"

    @property
    def is_frozen(self) -> bool:
        """A version used by a round never changes: edits write a new version."""
        return self.rounds.exists()


class Section(models.Model):
    """A narrative section of a form, e.g. "Results"."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.CharField(_("key"), max_length=40)
    title = models.CharField(pgettext_lazy("section", "title"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="section_unique_key")
        ]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """A figure every unit reports, with how it adds up the hierarchy."""

    class Type(models.TextChoices):
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Decimal number")
        PERCENT = "percent", _("Percentage")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Text")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        AVG = "avg", _("Average")
        WEIGHTED_AVG = "weighted_avg", _("Weighted average")
        MIN = "min", _("Minimum")
        MAX = "max", _("Maximum")
        COUNT_YES = "count_yes", _("Number of “yes”")
        NONE = "none", _("Not aggregated")

    class Source(models.TextChoices):
        TYPED = "", _("Typed by the unit")
        TASK_DONE = "task_done", _("Units that completed a task (from the cascade)")
        TASK_DONE_ON_TIME = "task_done_on_time", _("Units that completed a task on time")
        TASK_DONE_PERCENT = "task_done_percent", _("Percentage of units that completed a task")
        TASK_ON_TIME_PERCENT = (
            "task_on_time_percent",
            _("On-time rate of a task (completed on time ÷ completed or overdue)"),
        )
        STUDY_SESSIONS = "study_sessions", _("Study sessions held on a topic")
        STUDY_UNITS_HELD = "study_units_held", _("Units that held a study session on a topic")
        STUDY_PARTY_MEMBERS = (
            "study_party_members",
            _("Party members who attended study sessions on a topic"),
        )
        STUDY_PARTY_PERCENT = (
            "study_party_percent",
            _("Percentage of party members who attended study sessions on a topic"),
        )

    # where each fed figure is read (feeds.py) and which ones are percentages
    TASK_SOURCES = frozenset(
        {Source.TASK_DONE, Source.TASK_DONE_ON_TIME, Source.TASK_DONE_PERCENT}
        | {Source.TASK_ON_TIME_PERCENT}
    )
    STUDY_SOURCES = frozenset(
        {Source.STUDY_SESSIONS, Source.STUDY_UNITS_HELD, Source.STUDY_PARTY_MEMBERS}
        | {Source.STUDY_PARTY_PERCENT}
    )
    PERCENT_SOURCES = frozenset(
        {Source.TASK_DONE_PERCENT, Source.TASK_ON_TIME_PERCENT, Source.STUDY_PARTY_PERCENT}
    )

    # which aggregations suit which type
    ALLOWED = {
        Type.INTEGER: {Aggregation.SUM, Aggregation.AVG, Aggregation.WEIGHTED_AVG}
        | {Aggregation.MIN, Aggregation.MAX},
        Type.DECIMAL: {Aggregation.SUM, Aggregation.AVG, Aggregation.WEIGHTED_AVG}
        | {Aggregation.MIN, Aggregation.MAX},
        Type.PERCENT: {Aggregation.AVG, Aggregation.WEIGHTED_AVG, Aggregation.MIN}
        | {Aggregation.MAX},
        Type.YES_NO: {Aggregation.COUNT_YES},
        Type.TEXT: {Aggregation.NONE},
    }

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    type = models.CharField(_("type"), max_length=12, choices=Type.choices, default=Type.INTEGER)
    min_value = models.DecimalField(
        _("minimum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    required = models.BooleanField(_("required"), default=False)
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    weight_code = models.CharField(
        _("weighted by"),
        max_length=20,
        blank=True,
        help_text=_("For a weighted average: the code of the indicator that gives the weights."),
    )
    source = models.CharField(
        _("source"), max_length=24, choices=Source.choices, default="", blank=True
    )
    source_task = models.ForeignKey(
        "tasks.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    help_text = models.CharField(_("help text"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="indicator_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def is_numeric(self) -> bool:
        return self.type in (self.Type.INTEGER, self.Type.DECIMAL, self.Type.PERCENT)

    @property
    def is_fed(self) -> bool:
        """Filled from the cascade or the study records: nobody retypes it."""
        return bool(self.source)

    @property
    def is_fed_from_study(self) -> bool:
        return self.source in self.STUDY_SOURCES


# --- rounds ----------------------------------------------------------------------------------


class Round(models.Model):
    """One reporting period of a form: who reports, to whom, by when."""

    class Period(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        SIX_MONTHLY = "six_monthly", _("Six-monthly")
        ANNUAL = "annual", _("Annual")
        CUSTOM = "custom", _("Custom window")

    class TargetMode(models.TextChoices):
        UNITS = "units", _("Chosen units")
        RULE = "rule", _("Rule")

    class ReceiverMode(models.TextChoices):
        PARENT = "parent", _("Each unit reports to its parent")
        OWNER = "owner", _("Every unit reports to the unit running the round")
        UNIT = "unit", _("Every unit reports to a chosen unit")

    form = models.ForeignKey(
        ReportForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="rounds"
    )
    version = models.ForeignKey(
        FormVersion, verbose_name=_("form version"), on_delete=models.PROTECT, related_name="rounds"
    )
    owner = models.ForeignKey(
        "units.Unit",
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="report_rounds",
    )
    title = models.CharField(pgettext_lazy("round", "title"), max_length=300)
    period_kind = models.CharField(_("period"), max_length=12, choices=Period.choices)
    period_label = models.CharField(_("period label"), max_length=40)
    period_start = models.DateField(_("data from"))
    period_end = models.DateField(_("data until (cut-off)"))
    deadline = models.DateField(_("deadline"))
    deadline_workdays = models.PositiveSmallIntegerField(
        _("working days after the cut-off"), null=True, blank=True
    )
    target_mode = models.CharField(_("who reports"), max_length=8, choices=TargetMode.choices)
    units = models.ManyToManyField(
        "units.Unit", verbose_name=_("units"), blank=True, related_name="+"
    )
    under = models.ForeignKey(
        "units.Unit",
        verbose_name=_("under unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kinds = models.JSONField(_("unit kinds"), default=list, blank=True)
    depth = models.PositiveSmallIntegerField(_("levels below"), null=True, blank=True)
    receiver_mode = models.CharField(
        _("reports go to"),
        max_length=8,
        choices=ReceiverMode.choices,
        default=ReceiverMode.PARENT,
    )
    receiver_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("receiving unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    top_receiver = models.ForeignKey(
        "units.Unit",
        verbose_name=_("the consolidated report goes to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place name"), max_length=100, blank=True)
    task = models.ForeignKey(
        "tasks.Task",
        verbose_name=_("cascade task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_rounds",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-period_end", "-pk"]
        indexes = [models.Index(fields=["owner", "-period_end"], name="round_owner_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="round_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_past_deadline(self, on: dt.date | None = None) -> bool:
        return (on or dt.date.today()) > self.deadline


# --- reports ---------------------------------------------------------------------------------


class ReportQuerySet(models.QuerySet):
    def counted(self) -> ReportQuerySet:
        """Reports that count: not superseded after a merge."""
        return self.filter(superseded_by__isnull=True)

    def expected(self) -> ReportQuerySet:
        return self.counted().exclude(state=Report.State.WAIVED)

    def within(self, unit: Unit) -> ReportQuerySet:
        """Reports of ``unit``'s subtree, by the reports' own copy of the unit's path."""
        top = unit.path + unit.alphabet[-1] * (PATH_LENGTH - len(unit.path))
        return self.filter(
            unit_path__gte=unit.path, unit_path__lte=top, unit_path__startswith=unit.path
        )


class Report(models.Model):
    """One unit's report in one round."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")
        WAIVED = "waived", _("Waived")

    EDITABLE = (State.DRAFT, State.RETURNED)
    # The columns the database guard (migration 0002) keeps still on an accepted report: its
    # content. Routing (receiver, path, superseded) follows the tree even then.
    LOCKED_COLUMNS = (
        "round_id",
        "unit_id",
        "narrative",
        "symbol",
        "place",
        "signer_name",
        "signer_title",
        "recipients",
        "version",
    )

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="reports", db_index=False
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,
    )
    # The unit's tree path, copied (ROLLUP.md option 1): completeness of a subtree is one
    # GROUP BY over the round's reports. Kept current by receivers.py when units move.
    unit_path = models.CharField(max_length=PATH_LENGTH, default="", editable=False)
    receiver = models.ForeignKey(
        "units.Unit",
        verbose_name=_("sent to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_reports",
        db_index=False,
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    narrative = models.JSONField(_("narrative"), default=dict, blank=True)
    symbol = models.CharField(_("number and symbol"), max_length=60, blank=True)
    place = models.CharField(_("place name"), max_length=100, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_on = models.DateField(_("first submitted on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A dissolved unit's open report whose successor has its own in the same round.
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(
        excluded_fields=["unit_path"],
        no_db_index=["round", "unit", "receiver", "decided_by", "superseded_by"],
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["round", "unit_path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="report_one_per_unit_round"),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
            models.CheckConstraint(
                condition=~Q(state__in=["submitted", "accepted"])
                | Q(first_submitted_on__isnull=False),
                name="report_submitted_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "receiver", "state"], name="report_round_receiver"),
            models.Index(fields=["round", "unit_path"], name="report_round_path"),
            models.Index(fields=["receiver", "state"], name="report_receiver_state"),
            models.Index(fields=["unit", "state"], name="report_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.unit}"

    def save(self, *args, **kwargs) -> None:
        # The model-level guard of the lock (the services check first, the database last):
        # a report loaded as accepted keeps its content while it stays accepted.
        loaded = getattr(self, "_loaded", None)
        if loaded and loaded.get("state") == self.State.ACCEPTED == self.state:
            changed = [
                f for f in self._guarded_attrs() if f in loaded and loaded[f] != getattr(self, f)
            ]
            if changed:
                raise ReportLocked(f"report {self.pk} is accepted: {', '.join(changed)} locked")
        if self.unit_id is not None and (not self.unit_path or Report.unit.is_cached(self)):
            path = self.unit.path
            if path != self.unit_path:
                self.unit_path = path
                fields = kwargs.get("update_fields")
                if fields is not None:
                    kwargs["update_fields"] = {*fields, "unit_path"}
        super().save(*args, **kwargs)
        self._loaded = {
            f: getattr(self, f) for f in ("state", *self._guarded_attrs()) if hasattr(self, f)
        }

    def delete(self, *args, **kwargs):
        if self.state == self.State.ACCEPTED:
            raise ReportLocked(f"report {self.pk} is accepted: it cannot be deleted")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # what the row held when loaded: the model-level guard compares against it
        instance._loaded = {
            f: getattr(instance, f) for f in ("state", *cls._guarded_attrs()) if f in field_names
        }
        return instance

    @classmethod
    def _guarded_attrs(cls) -> tuple[str, ...]:
        return tuple(c for c in cls.LOCKED_COLUMNS if c != "version")

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.ACCEPTED

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE and self.superseded_by_id is None

    @property
    def is_top(self) -> bool:
        """The round owner's own report: sent outside the system, final when submitted."""
        return self.receiver_id is None

    def is_late(self, deadline: dt.date | None = None) -> bool:
        deadline = deadline or self.round.deadline
        return self.first_submitted_on is not None and self.first_submitted_on > deadline

    def is_missing(self, on: dt.date | None = None, deadline: dt.date | None = None) -> bool:
        deadline = deadline or self.round.deadline
        return self.state in self.EDITABLE and (on or dt.date.today()) > deadline


class Value(models.Model):
    """One figure of one report."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    # how many reporting units the figure covers: 1 for a unit's own figure, the sum of the
    # sources' for a consolidated one (averages up the hierarchy are weighted by it)
    units = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(no_db_index=["report", "indicator"])

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="value_one_per_indicator")
        ]
        indexes = [models.Index(fields=["indicator", "number"], name="value_indicator_number")]

    def __str__(self) -> str:
        return (
            f"{self.report_id}/{self.indicator_id}: {self.number if self.text == '' else self.text}"
        )

    def save(self, *args, **kwargs) -> None:
        _check_report_open(self.report_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _check_report_open(self.report_id)
        return super().delete(*args, **kwargs)


def _check_report_open(report_id: int | None) -> None:
    if report_id is None:
        return
    state = Report.objects.filter(pk=report_id).values_list("state", flat=True).first()
    if state == Report.State.ACCEPTED:
        raise ReportLocked(f"report {report_id} is accepted: its figures are locked")


# --- completeness counters -------------------------------------------------------------------

COUNT_FIELDS = ("expected", "submitted", "on_time", "accepted", "returned", "not_sent", "waived")


class RoundCount(models.Model):
    """A round's reports in a unit's subtree, by what they did (ROLLUP.md option 2).

    Kept current by every write that moves a report (``counts.record``, same transaction);
    recounted from the reports by ``counts.check`` and ``counts.rebuild``. Derived data: no
    history of its own (the reports have theirs).
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    expected = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    not_sent = models.IntegerField(default=0)
    waived = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="roundcount_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.unit_id}: {self.submitted}/{self.expected}"

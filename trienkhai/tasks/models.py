"""The cascade: tasks from directives, one assignment per unit, progress, and roll-up counters.

Status follows the Government Office's taxonomy. An assignment stores its *state* (not
started, in progress, done) and its roll-up *bucket*: not started / in progress (both "not
done, within the deadline"), done on time, done late, overdue. Time moves an open assignment
into "overdue" with no write at all: ``Assignment.bucket_on(day)`` is the truth, the stored
bucket is refreshed by the daily sweep, and roll-up readers correct for rows the sweep has not
reached yet (see ``selectors.rollup``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold

# the length of treebeard's path column, which Assignment.unit_path copies
PATH_LENGTH = Unit._meta.get_field("path").max_length


class Program(models.Model):
    """A program or project that tasks and assignments of any directive can serve."""

    name = models.CharField(_("name"), max_length=300)
    code = models.CharField(_("code"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "units.Unit", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="programs"
    )
    start_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    vision_year = models.PositiveSmallIntegerField(_("vision to"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("founding document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programs",
    )
    search_text = models.CharField(max_length=400, editable=False, default="")
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="program_years_ordered",
            )
        ]

    def __str__(self) -> str:
        if self.start_year and self.end_year:
            return f"{self.name} ({self.start_year}–{self.end_year})"
        return self.name

    def refresh_search_text(self) -> None:
        self.search_text = fold(f"{self.name} {self.code}")[:400]


class TaskQuerySet(models.QuerySet):
    def top_level(self) -> TaskQuerySet:
        return self.filter(parent_assignment__isnull=True)

    def search(self, query: str) -> TaskQuerySet:
        qs = self
        for word in fold(query or "").split()[:8]:
            qs = qs.filter(search_text__contains=word[:50])
        return qs


class Task(models.Model):
    """Something a unit must get done, from a clause of a directive."""

    class Kind(models.TextChoices):
        STUDY = "study", _("Study and dissemination")
        PLAN = "plan", _("Build a program or plan")
        INSPECTION = "inspection", _("Inspection and supervision")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    class Recurrence(models.TextChoices):
        NONE = "", _("Once")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        SIX_MONTHLY = "six_monthly", _("Six-monthly")
        ANNUAL = "annual", _("Annual")

    title = models.CharField(pgettext_lazy("task", "title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    source_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    clause = models.CharField(
        _("clause"), max_length=100, blank=True, help_text=_("e.g. Section 2, item 3.")
    )
    issuer = models.ForeignKey(
        "units.Unit",
        verbose_name=_("issuing unit"),
        on_delete=models.PROTECT,
        related_name="issued_tasks",
    )
    parent_assignment = models.ForeignKey(
        "tasks.Assignment",
        verbose_name=_("breaks down"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subtasks",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    recurrence = models.CharField(
        _("recurrence"), max_length=16, choices=Recurrence.choices, default="", blank=True
    )
    recurrence_day = models.PositiveSmallIntegerField(
        _("day of the deadline"),
        null=True,
        blank=True,
        help_text=_("For recurring tasks: the day of the period's last month (1–31)."),
    )
    recurrence_month = models.PositiveSmallIntegerField(
        _("month of the deadline"),
        null=True,
        blank=True,
        help_text=_("For annual tasks: the month of the deadline (1–12)."),
    )
    recurrence_start = models.DateField(_("recurs from"), null=True, blank=True)
    recurrence_end = models.DateField(_("recurs until"), null=True, blank=True)
    expected_output = models.CharField(
        _("expected output"),
        max_length=300,
        blank=True,
        help_text=_("What the unit must produce, e.g. its own plan (KH)."),
    )
    output_type = models.CharField(
        _("output document type"),
        max_length=10,
        blank=True,
        help_text=_("Type code of the document that completes the assignment, e.g. KH."),
    )
    is_public = models.BooleanField(_("public"), default=False)
    is_starred = models.BooleanField(_("priority"), default=False)
    programs = models.ManyToManyField(
        Program, verbose_name=_("programs"), blank=True, related_name="tasks"
    )
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[programs])

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["issuer", "-created"], name="task_issuer_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(recurrence_day__isnull=True)
                | Q(recurrence_day__gte=1, recurrence_day__lte=31),
                name="task_recurrence_day_range",
            ),
            models.CheckConstraint(
                condition=Q(recurrence_month__isnull=True)
                | Q(recurrence_month__gte=1, recurrence_month__lte=12),
                name="task_recurrence_month_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence)

    def refresh_search_text(self) -> None:
        self.search_text = fold(f"{self.title} {self.description} {self.clause}")


class Target(models.Model):
    """Who a task goes to: chosen units, or a stored rule re-applied when the tree changes."""

    class Mode(models.TextChoices):
        UNITS = "units", _("Chosen units")
        RULE = "rule", _("Rule")

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        SUPPORT = "support", _("Support")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    mode = models.CharField(_("targeting"), max_length=8, choices=Mode.choices)
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
    depth = models.PositiveSmallIntegerField(
        _("levels below"),
        null=True,
        blank=True,
        help_text=_("Only units exactly this many levels below (1 = direct subordinates)."),
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.LEAD)
    report_to = models.ForeignKey(
        "units.Unit",
        verbose_name=_("report to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.get_mode_display()} ({self.get_role_display()})"


class AssignmentQuerySet(models.QuerySet):
    def active(self) -> AssignmentQuerySet:
        return self.filter(transferred_to__isnull=True)

    def open(self) -> AssignmentQuerySet:
        return self.active().exclude(state=Assignment.State.DONE)

    def overdue(self, on: dt.date | None = None) -> AssignmentQuerySet:
        on = on or dt.date.today()
        return self.open().filter(due_date__lt=on)

    def due_on(self, day: dt.date) -> AssignmentQuerySet:
        return self.open().filter(due_date=day)

    def in_subtree(self, unit) -> AssignmentQuerySet:
        """Assignments of ``unit`` and of every unit below it."""
        from trienkhai.units.models import Unit

        return self.filter(unit__in=Unit.objects.subtree_of(unit).order_by().values("pk"))

    def within(self, unit) -> AssignmentQuerySet:
        """The same rows as ``in_subtree``, by the assignments' own copy of the unit's path.

        Planners then start from the assignments' own indexes: best when the other
        conditions are selective (the few rows the sweep has not reached) or when the subtree
        is big (an overdue list of a province walked in deadline order tests each row's path
        inside the index, without a join). For a small subtree ``in_subtree`` is faster: it
        starts from the subtree's units.
        """
        # The range is what an index can use under any collation (paths are made of the
        # tree's alphabet); the LIKE keeps the result exact whatever the collation.
        top = unit.path + unit.alphabet[-1] * (PATH_LENGTH - len(unit.path))
        return self.filter(
            unit_path__gte=unit.path, unit_path__lte=top, unit_path__startswith=unit.path
        )


class Assignment(models.Model):
    """One unit's share of a task (one per period for recurring tasks)."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    class Bucket(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE_ON_TIME = "done_on_time", _("Done on time")
        DONE_LATE = "done_late", _("Done late")
        OVERDUE = "overdue", _("Overdue")

    Role = Target.Role

    # no single-column indexes: (task, unit, period) and (unit, bucket) lead with them
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
    )
    # The unit's tree path, copied (ROLLUP.md option 1): subtree filters need no join. Set
    # by save() and the bulk insert, moved with the unit by services.tree_changed, checked
    # by rollup_check.
    unit_path = models.CharField(max_length=PATH_LENGTH, default="", editable=False)
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.LEAD)
    report_to = models.ForeignKey(
        "units.Unit",
        verbose_name=_("report to"),
        on_delete=models.PROTECT,
        related_name="reported_assignments",
    )
    period = models.CharField(
        _("period"), max_length=10, blank=True, default="", help_text=_("e.g. 2020, 2020-Q2")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.NOT_STARTED
    )
    bucket = models.CharField(
        _("status"), max_length=12, choices=Bucket.choices, default=Bucket.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    reason = models.TextField(_("reason for the delay"), blank=True)
    output_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("output document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="output_of",
    )
    programs = models.ManyToManyField(
        Program, verbose_name=_("programs"), blank=True, related_name="assignments"
    )
    last_update = models.DateTimeField(_("last update"), null=True, blank=True)
    # A dissolved unit's open assignment whose successor already had one for the same task.
    transferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)

    # History is read per assignment (by id) and by date; indexes on its foreign keys would
    # only slow the bulk creation of ten thousand assignments.
    history = HistoricalRecords(
        excluded_fields=["unit_path"],
        m2m_fields=[programs],
        no_db_index=["task", "unit", "target", "report_to", "output_document", "transferred_to"],
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "period"], name="assignment_one_per_unit_period"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="assignment_progress_range"
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(completed_on__isnull=False),
                name="assignment_done_has_date",
            ),
        ]
        indexes = [
            # The sweep and the read-time correction look for rows still "within the
            # deadline" whose deadline has passed: normally none. A partial index makes that
            # an empty range scan; with (bucket, due_date) PostgreSQL misjudged the two
            # correlated conditions and scanned the table.
            models.Index(
                fields=["due_date"],
                condition=Q(bucket__in=["not_started", "in_progress"]),
                name="assignment_within_due",
            ),
            models.Index(fields=["unit", "bucket"], name="assignment_unit_bucket"),
            models.Index(fields=["due_date", "state"], name="assignment_due_state"),
            # overdue lists: open rows in deadline order, without wading through done ones;
            # the path inside the index tests a subtree without visiting the table
            models.Index(
                fields=["due_date", "id", "unit_path"],
                condition=~Q(state="done") & Q(transferred_to__isnull=True),
                name="assignment_open_due",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.task} — {self.unit}"
        return f"{label} ({self.period})" if self.period else label

    def save(self, *args, **kwargs) -> None:
        # a unit set on the instance brings its path; a loaded row keeps its stored copy
        if self.unit_id is not None and (not self.unit_path or Assignment.unit.is_cached(self)):
            path = self.unit.path
            if path != self.unit_path:
                self.unit_path = path
                fields = kwargs.get("update_fields")
                if fields is not None:
                    kwargs["update_fields"] = {*fields, "unit_path"}
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE

    @property
    def is_active(self) -> bool:
        return self.transferred_to_id is None

    def bucket_on(self, day: dt.date) -> str:
        """The roll-up status on ``day`` (the stored bucket may lag until the sweep)."""
        return bucket_for(self.state, self.due_date, self.completed_on, day)

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.bucket_on(on or dt.date.today()) == self.Bucket.OVERDUE

    def days_overdue(self, on: dt.date | None = None) -> int:
        on = on or dt.date.today()
        if self.due_date is None or self.is_done or self.due_date >= on:
            return 0
        return (on - self.due_date).days

    def needs_reason(self, on: dt.date | None = None) -> bool:
        """Late or overdue work must say why."""
        return self.bucket_on(on or dt.date.today()) in (
            self.Bucket.OVERDUE,
            self.Bucket.DONE_LATE,
        )


def bucket_for(
    state: str, due_date: dt.date | None, completed_on: dt.date | None, day: dt.date
) -> str:
    B = Assignment.Bucket
    if state == Assignment.State.DONE:
        if due_date is None or (completed_on is not None and completed_on <= due_date):
            return B.DONE_ON_TIME
        return B.DONE_LATE
    if due_date is not None and due_date < day:
        return B.OVERDUE
    return B.NOT_STARTED if state == Assignment.State.NOT_STARTED else B.IN_PROGRESS


def _evidence_upload_to(instance: UpdateFile, filename: str) -> str:
    today = dt.date.today()
    return f"evidence/{today:%Y/%m}/{filename}"


class ProgressUpdate(models.Model):
    """A unit's report on an assignment: what was done, how far, and why it is late."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("what was done"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    reason = models.TextField(_("reason for the delay"), blank=True)
    completed = models.BooleanField(_("completed"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="update_progress_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.progress}%"


class UpdateFile(models.Model):
    """Evidence attached to a progress update; checked like document files."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


# --- roll-up counters ------------------------------------------------------------------------
#
# Counters maintained in the same transaction as every change of an assignment (ROLLUP.md
# option 2): one row per (ancestor-or-self unit) for all tasks, one per (unit, task), one per
# (unit, month) for the timeline. A page reads O(children) rows. `rollup_check` recomputes them
# from the facts and reports drift.

COUNTER_FIELDS = ("not_started", "in_progress", "done_on_time", "done_late", "overdue", "updated")


class _Counts(models.Model):
    not_started = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    done_on_time = models.IntegerField(default=0)
    done_late = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    # assignments with at least one progress update (the "update rate")
    updated = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.total}"

    @property
    def total(self) -> int:
        return (
            self.not_started + self.in_progress + self.done_on_time + self.done_late + self.overdue
        )


class UnitRollup(_Counts):
    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="rollup")


class UnitTaskRollup(_Counts):
    # indexed by the two composite keys below; single-column indexes would only slow writes
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "task"], name="unittaskrollup_unique")
        ]
        indexes = [models.Index(fields=["task", "unit"], name="unittaskrollup_task")]


class UnitMonthRollup(models.Model):
    """Per month: assignments due in it, and completions in it (on time or late)."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # first day of the month
    due = models.IntegerField(default=0)
    done_on_time = models.IntegerField(default=0)
    done_late = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="unitmonthrollup_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%m/%Y}"


class ReminderDigest(models.Model):
    """One digest per person per day, claimed before sending so a second worker skips it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    items = models.PositiveIntegerField(default=0)
    sent = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="reminderdigest_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"

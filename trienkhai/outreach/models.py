"""Study sessions, information for the public, and the coverage counters.

A study session (*hội nghị học tập, quán triệt*) belongs to one of its unit's study
assignments and records attendance by group. Coverage of a group is attendance ÷ headcount,
the attendance of a unit capped at its headcount (people who attend twice are not
identifiable), rolled up by counters kept in the same transaction as every write
(``rollup.py``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trienkhai.vntext.text import fold

# Groups with a headcount on the unit, then the public (no headcount: a plain sum).
HEADCOUNT_GROUPS = ("cadres", "party_members", "union_members", "association_members")
GROUPS = (*HEADCOUNT_GROUPS, "public")


class StudySessionQuerySet(models.QuerySet):
    def search(self, query: str) -> StudySessionQuerySet:
        qs = self
        for word in fold(query or "").split()[:8]:
            qs = qs.filter(search_text__contains=word[:50])
        return qs


class StudySession(models.Model):
    """A conference or meeting where a unit studied documents it was asked to study."""

    class Form(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        MIXED = "mixed", _("In person and online")

    # Sessions are records of their unit and their assignment: deleting either (the
    # application deletes neither — units are dissolved) is refused while sessions remain,
    # rather than losing them with their files.
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="study_sessions",
        db_index=False,  # (unit, topic, held_on) leads with it
    )
    assignment = models.ForeignKey(
        "tasks.Assignment",
        verbose_name=_("study assignment"),
        on_delete=models.PROTECT,
        related_name="study_sessions",
    )
    # The study task at the top of the assignment's cascade ("study Resolution 52"):
    # coverage is counted per topic.
    topic = models.ForeignKey(
        "tasks.Task", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+"
    )
    documents = models.ManyToManyField(
        "documents.Document", verbose_name=_("documents studied"), related_name="study_sessions"
    )
    held_on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=12, choices=Form.choices)
    location = models.CharField(_("location"), max_length=255, blank=True)
    presenter = models.CharField(_("presenter"), max_length=255, blank=True)
    cadres = models.PositiveIntegerField(_("cadres"), default=0)
    party_members = models.PositiveIntegerField(_("party members"), default=0)
    union_members = models.PositiveIntegerField(_("union members"), default=0)
    association_members = models.PositiveIntegerField(_("association members"), default=0)
    public = models.PositiveIntegerField(_("members of the public"), default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    search_text = models.TextField(editable=False, default="")
    # Bumped by every correction: an edit made on an older copy is refused, not lost.
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[documents])

    objects = StudySessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "topic", "held_on"], name="session_unit_topic"),
            models.Index(fields=["-held_on", "-id"], name="session_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.held_on:%d/%m/%Y}"

    @property
    def attendance(self) -> dict[str, int]:
        return {g: getattr(self, g) for g in GROUPS}

    @property
    def attendance_total(self) -> int:
        return sum(getattr(self, g) for g in GROUPS)

    def refresh_search_text(self, unit_name: str = "") -> None:
        self.search_text = fold(f"{unit_name} {self.location} {self.presenter} {self.minutes}")


def _session_upload_to(instance: SessionFile, filename: str) -> str:
    return f"study/{dt.date.today():%Y/%m}/{filename}"


class SessionFile(models.Model):
    """Minutes, attendance sheets, photos of a session; checked like document files."""

    # A file is part of its session: the session is deleted only by ``session_delete`` (with a
    # reason, in its history), which removes the stored files too.
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_session_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session file")
        verbose_name_plural = _("session files")

    def __str__(self) -> str:
        return self.original_name


class PublicOutreachQuerySet(models.QuerySet):
    def search(self, query: str) -> PublicOutreachQuerySet:
        qs = self
        for word in fold(query or "").split()[:8]:
            qs = qs.filter(search_text__contains=word[:50])
        return qs


class PublicOutreach(models.Model):
    """An article, broadcast or event a unit ran to inform the public (*tuyên truyền*)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        BROADCAST = "broadcast", _("Broadcast")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="public_outreach",
        db_index=False,  # (unit, held_on) leads with it
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("date"))
    channel = models.CharField(
        _("channel"),
        max_length=255,
        blank=True,
        help_text=_("Where it ran, e.g. the ward's website, the loudspeakers of quarter 3."),
    )
    audience = models.PositiveIntegerField(
        _("people reached"), null=True, blank=True, help_text=_("An estimate, if known.")
    )
    summary = models.TextField(_("summary"), blank=True)
    documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("documents disseminated"),
        blank=True,
        related_name="public_outreach",
    )
    search_text = models.TextField(editable=False, default="")
    # Bumped by every correction: an edit made on an older copy is refused, not lost.
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[documents])

    objects = PublicOutreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("public information item")
        verbose_name_plural = _("public information items")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "held_on"], name="outreach_unit_date"),
            models.Index(fields=["-held_on", "-id"], name="outreach_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def refresh_search_text(self, unit_name: str = "") -> None:
        self.search_text = fold(f"{unit_name} {self.title} {self.channel} {self.summary}")


# --- counters ---------------------------------------------------------------------------------
#
# What each unit contributed when last counted (UnitHeadcount), and the sums over every
# ancestor-or-self (the three rollup tables). Maintained by rollup.record in the same
# transaction as every write; rollup.check recounts them from the facts.


class UnitHeadcount(models.Model):
    """The unit's state as the counters last counted it (to compute deltas on a change)."""

    unit = models.OneToOneField(
        "units.Unit", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # ids of the unit's ancestors and itself, root first, as last counted ("1,7,42")
    chain = models.TextField()
    counted = models.BooleanField(default=True)
    cadres = models.IntegerField(default=0)
    party_members = models.IntegerField(default=0)
    union_members = models.IntegerField(default=0)
    association_members = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.unit_id} {self.chain}"


OUTREACH_COUNTERS = (
    "units",
    *HEADCOUNT_GROUPS,
    "articles",
    "broadcasts",
    "events",
    "other_items",
    "audience",
)
ITEM_COLUMNS = {"article": "articles", "broadcast": "broadcasts", "event": "events"}
STUDY_COUNTERS = (
    "sessions",
    *(f"att_{g}" for g in GROUPS),
    *(f"cov_{g}" for g in HEADCOUNT_GROUPS),
    "held",
)
MONTH_COUNTERS = ("sessions", "attendance", *(f"cov_{g}" for g in HEADCOUNT_GROUPS))


class UnitOutreachRollup(models.Model):
    """Per subtree: counted units with people, headcounts, public items by kind."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="+")
    units = models.IntegerField(default=0)  # counted units with a headcount in some group
    cadres = models.IntegerField(default=0)
    party_members = models.IntegerField(default=0)
    union_members = models.IntegerField(default=0)
    association_members = models.IntegerField(default=0)
    articles = models.IntegerField(default=0)
    broadcasts = models.IntegerField(default=0)
    events = models.IntegerField(default=0)
    other_items = models.IntegerField(default=0)
    audience = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.unit_id}"


class UnitStudyRollup(models.Model):
    """Per (subtree, topic): sessions, attendance, covered people (capped), units that held."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    sessions = models.IntegerField(default=0)
    att_cadres = models.IntegerField(default=0)
    att_party_members = models.IntegerField(default=0)
    att_union_members = models.IntegerField(default=0)
    att_association_members = models.IntegerField(default=0)
    att_public = models.BigIntegerField(default=0)
    cov_cadres = models.IntegerField(default=0)
    cov_party_members = models.IntegerField(default=0)
    cov_union_members = models.IntegerField(default=0)
    cov_association_members = models.IntegerField(default=0)
    held = models.IntegerField(default=0)  # counted units with people and a session

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "topic"], name="unitstudyrollup_unique")
        ]
        indexes = [models.Index(fields=["topic", "unit"], name="unitstudyrollup_topic")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.topic_id}"


class UnitStudyMonth(models.Model):
    """Per (subtree, topic, month): sessions, attendance, and the increase of covered people."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    sessions = models.IntegerField(default=0)
    attendance = models.BigIntegerField(default=0)
    cov_cadres = models.IntegerField(default=0)
    cov_party_members = models.IntegerField(default=0)
    cov_union_members = models.IntegerField(default=0)
    cov_association_members = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "topic", "month"], name="unitstudymonth_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.topic_id} {self.month:%m/%Y}"

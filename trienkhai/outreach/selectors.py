"""Reads of study and dissemination: who sees which sessions, and coverage of a subtree.

A session or public item is read by the readers of its unit (its subtree's readers: the unit
and every unit above it that a user belongs to — the inspection committee's role included);
recording and correcting is for the unit's staff and leaders. Coverage figures come from the
counters: a constant number of queries whatever the size of the subtree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trienkhai.accounts.scoping import (
    can_act_for_unit,
    memberships_of,
    sees_everything,
    units_for_user,
)
from trienkhai.outreach.models import (
    GROUPS,
    HEADCOUNT_GROUPS,
    OUTREACH_COUNTERS,
    STUDY_COUNTERS,
    PublicOutreach,
    StudySession,
    UnitOutreachRollup,
    UnitStudyMonth,
    UnitStudyRollup,
)
from trienkhai.tasks.models import Task, UnitTaskRollup
from trienkhai.units.models import Unit, UnitQuerySet

GROUP_LABELS = {
    "cadres": _("Cadres"),
    "party_members": _("Party members"),
    "union_members": _("Union members"),
    "association_members": _("Association members"),
    "public": _("Public"),
}
MANY_CHILDREN = 1000
ALL_TOPICS_RULE = _(
    "All topics together: a unit's attendance over all its sessions, whatever the topic, is"
    " counted up to its headcount in each group. Someone who studied two topics is counted"
    " once, and cannot be told apart from two people who studied one each: the figure is how"
    " many people at most were reached by at least one session, and never exceeds the"
    " headcount. The figures of each topic below are counted the same way, topic by topic."
)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404


def sessions_for_user(user) -> QuerySet[StudySession]:
    """Every session the user may read."""
    if not _active(user):
        return StudySession.objects.none()
    if sees_everything(user):
        return StudySession.objects.all()
    return StudySession.objects.filter(unit__in=units_for_user(user).order_by().values("pk"))


def get_session_for_user(user, pk, *, write: bool = False) -> StudySession:
    """The session if the user may read it (or correct it: act for its unit); 404 otherwise."""
    try:
        session = (
            sessions_for_user(user)
            .select_related("unit", "assignment__task", "topic", "created_by")
            .get(pk=_int(pk))
        )
    except StudySession.DoesNotExist:
        raise Http404
    if write and not can_act_for_unit(user, session.unit):
        raise Http404
    return session


def outreach_for_user(user) -> QuerySet[PublicOutreach]:
    if not _active(user):
        return PublicOutreach.objects.none()
    if sees_everything(user):
        return PublicOutreach.objects.all()
    return PublicOutreach.objects.filter(unit__in=units_for_user(user).order_by().values("pk"))


def get_outreach_for_user(user, pk, *, write: bool = False) -> PublicOutreach:
    try:
        item = outreach_for_user(user).select_related("unit", "created_by").get(pk=_int(pk))
    except PublicOutreach.DoesNotExist:
        raise Http404
    if write and not can_act_for_unit(user, item.unit):
        raise Http404
    return item


def acting_units(user) -> list[Unit]:
    """Units the user records sessions and public items for."""
    if not _active(user):
        return []
    if sees_everything(user):
        return list(Unit.objects.roots())
    return [m.unit for m in memberships_of(user) if m.can_act]


# --- coverage ----------------------------------------------------------------------------------


@dataclass
class Counts:
    """Coverage figures of a subtree for one topic (headcounts and public items: all topics)."""

    units: int = 0
    held: int = 0
    sessions: int = 0
    headcount: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HEADCOUNT_GROUPS, 0))
    attended: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    covered: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HEADCOUNT_GROUPS, 0))
    items: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("articles", "broadcasts", "events", "other_items"), 0
        )
    )
    audience: int = 0

    @property
    def without(self) -> int:
        """Counted units with people and no session on the topic."""
        return max(0, self.units - self.held)

    @property
    def people(self) -> int:
        return sum(self.headcount.values())

    @property
    def people_covered(self) -> int:
        return sum(self.covered.values())

    @property
    def attendance(self) -> int:
        return sum(self.attended.values())

    @property
    def items_total(self) -> int:
        return sum(self.items.values())

    def percent(self, group: str | None = None) -> float | None:
        """Covered ÷ headcount of a group (all groups with a headcount when None)."""
        if group is None:
            total, covered = self.people, self.people_covered
        else:
            total, covered = self.headcount[group], self.covered[group]
        return round(100 * covered / total, 1) if total else None

    @property
    def overall(self) -> float | None:
        return self.percent()

    @property
    def held_percent(self) -> float | None:
        return round(100 * self.held / self.units, 1) if self.units else None

    def add(self, other: Counts) -> None:
        self.units += other.units
        self.held += other.held
        self.sessions += other.sessions
        self.audience += other.audience
        for target, source in (
            (self.headcount, other.headcount),
            (self.attended, other.attended),
            (self.covered, other.covered),
            (self.items, other.items),
        ):
            for key in target:
                target[key] += source[key]


@dataclass
class Row:
    unit: Unit
    counts: Counts
    own: bool = False


@dataclass
class Coverage:
    unit: Unit
    topic: Task | None
    counts: Counts
    children: list[Row]

    def own(self) -> Row | None:
        """The unit's own figures: its subtree's minus its children's."""
        own = Counts()
        own.add(self.counts)
        for row in self.children:
            c = row.counts
            own.units -= c.units
            own.held -= c.held
            own.sessions -= c.sessions
            own.audience -= c.audience
            for target, source in (
                (own.headcount, c.headcount),
                (own.attended, c.attended),
                (own.covered, c.covered),
                (own.items, c.items),
            ):
                for key in target:
                    target[key] -= source[key]
        if own.people or own.sessions or own.items_total:
            return Row(self.unit, own, own=True)
        return None


def coverage(unit: Unit, topic: Task | None) -> Coverage:
    """Figures of ``unit``'s subtree and of each child's subtree: three queries."""
    children = list(Unit.objects.children_of(unit).order_by("path"))
    by_unit: dict[int, Counts] = {c.pk: Counts() for c in children}
    by_unit[unit.pk] = Counts()
    # The ids let the planner probe the counters' unique index; beyond a thousand children a
    # subquery costs less than the list.
    level: Any = list(by_unit)
    if len(level) > MANY_CHILDREN:
        level = Unit.objects.subtree_of(unit).filter(depth__lte=unit.depth + 1)
        level = level.order_by().values("pk")
    for row in UnitOutreachRollup.objects.filter(unit__in=level).values(
        "unit_id", *OUTREACH_COUNTERS
    ):
        c = by_unit[row["unit_id"]]
        c.units = row["units"]
        c.headcount = {g: row[g] for g in HEADCOUNT_GROUPS}
        c.items = {k: row[k] for k in c.items}
        c.audience = row["audience"]
    if topic is not None:
        for row in UnitStudyRollup.objects.filter(unit__in=level, topic=topic).values(
            "unit_id", *STUDY_COUNTERS
        ):
            c = by_unit[row["unit_id"]]
            c.sessions = row["sessions"]
            c.held = row["held"]
            c.attended = {g: row[f"att_{g}"] for g in GROUPS}
            c.covered = {g: row[f"cov_{g}"] for g in HEADCOUNT_GROUPS}
    return Coverage(
        unit=unit,
        topic=topic,
        counts=by_unit[unit.pk],
        children=[Row(c, by_unit[c.pk]) for c in children],
    )


def study_topic_for_user(user, pk) -> Task:
    """A study task the user may read, named as a filter; a DomainError (a 400) otherwise."""
    from trienkhai.core.errors import DomainError
    from trienkhai.tasks.selectors import tasks_for_user

    topic = tasks_for_user(user).filter(pk=_int(pk), kind=Task.Kind.STUDY).first()
    if topic is None:
        raise DomainError(_("Choose a study task you can see."), code="invalid", field="topic")
    return topic


def topics_of(unit: Unit, limit: int = 100) -> list[Task]:
    """Study topics with sessions in the unit's subtree, the newest first."""
    ids = UnitStudyRollup.objects.filter(unit=unit, sessions__gt=0).values("topic_id")
    return list(Task.objects.filter(pk__in=ids).order_by("-created", "-pk")[:limit])


def topic_choices(unit: Unit) -> list[Task]:
    """Study topics of the subtree: top-level study tasks assigned in it, and any topic with
    sessions in it; the newest first."""
    assigned = UnitTaskRollup.objects.filter(unit=unit).values("task_id")
    tasks = Task.objects.filter(
        pk__in=assigned, kind=Task.Kind.STUDY, parent_assignment__isnull=True
    )
    found = {t.pk: t for t in tasks.order_by("-created", "-pk")[:100]}
    for t in topics_of(unit):
        found.setdefault(t.pk, t)
    return sorted(found.values(), key=lambda t: (t.created, t.pk), reverse=True)


def timeline(
    unit: Unit, topic: Task, *, months: int = 12, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Per month, the last ``months``: sessions, attendance, and cumulative covered people per
    group (the counters hold each month's increase)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    y, m = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
    start = dt.date(y, m + 1, 1)
    base = UnitStudyMonth.objects.filter(unit=unit, topic=topic)
    cov = [f"cov_{g}" for g in HEADCOUNT_GROUPS]
    before = base.filter(month__lt=start).aggregate(**{c: Sum(c) for c in cov})
    running = {g: int(before[f"cov_{g}"] or 0) for g in HEADCOUNT_GROUPS}
    rows = {
        r["month"]: r
        for r in base.filter(month__gte=start, month__lte=first).values(
            "month", "sessions", "attendance", *cov
        )
    }
    out = []
    y, m = start.year, start.month
    for _i in range(months):
        day = dt.date(y, m, 1)
        r = rows.get(day, {})
        for g in HEADCOUNT_GROUPS:
            running[g] += r.get(f"cov_{g}", 0)
        out.append(
            {
                "month": day,
                "sessions": r.get("sessions", 0),
                "attendance": r.get("attendance", 0),
                "covered": dict(running),
            }
        )
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _with_people(qs: UnitQuerySet) -> UnitQuerySet:
    return qs.filter(_people_filter())


def units_without_session(unit: Unit, topic: Task | None) -> UnitQuerySet:
    """Counted units of the subtree with people and no session on the topic, in tree order."""
    qs = _with_people(Unit.objects.subtree_of(unit).filter(dissolved_on__isnull=True))
    if topic is not None:
        held = StudySession.objects.filter(unit=OuterRef("pk"), topic=topic)
        qs = qs.exclude(Exists(held))
    return qs.order_by("path")


# --- all topics ------------------------------------------------------------------------------


@dataclass
class AllTopics:
    """Coverage of a subtree by any study topic, per group, and each topic's own figures."""

    unit: Unit
    counts: Counts  # any topic: a unit's attendance over all its sessions, capped per unit
    own: Row | None
    children: list[Row]
    topics: list[tuple[Task, Counts]]  # one topic each, from the counters


def _people_filter() -> Q:
    cond = Q()
    for g in HEADCOUNT_GROUPS:
        cond |= Q(**{f"{g}__gt": 0})
    return cond


def all_topics(unit: Unit, topics: list[Task]) -> AllTopics:
    """Coverage by any topic of ``unit``'s subtree and of each child's subtree (one grouped
    query over the subtree's counted units), and the counters of each of ``topics``.

    A unit's people covered in a group are min(Σ attendance over all its sessions, whatever
    the topic, headcount): someone who studied two topics is one person, and cannot be told
    apart from two people who studied one each, so the figure is an upper bound of the people
    reached by at least one session — never above the headcount.
    """
    zero = Value(0, output_field=IntegerField())
    sessions = StudySession.objects.filter(unit=OuterRef("pk")).order_by().values("unit")

    def per_unit(expr) -> Coalesce:
        return Coalesce(
            Subquery(sessions.annotate(n=expr).values("n")[:1], output_field=IntegerField()),
            zero,
        )

    people = _people_filter()
    rows = (
        Unit.objects.subtree_of(unit)
        .filter(dissolved_on__isnull=True)
        .annotate(
            n_sessions=per_unit(Count("pk")),
            **{f"a_{g}": per_unit(Sum(g)) for g in GROUPS},
            branch=Substr("path", 1, unit.steplen * (unit.depth + 1)),
        )
        .values("branch")
        .annotate(
            units=Count("pk", filter=people),
            held=Count("pk", filter=people & Q(n_sessions__gt=0)),
            sessions=Sum("n_sessions"),
            public=Sum("a_public"),
            **{f"h_{g}": Sum(g) for g in HEADCOUNT_GROUPS},
            **{f"t_{g}": Sum(f"a_{g}") for g in HEADCOUNT_GROUPS},
            **{
                f"c_{g}": Sum(Least(f"a_{g}", g, output_field=IntegerField()))
                for g in HEADCOUNT_GROUPS
            },
        )
        .order_by()
    )
    children = list(Unit.objects.children_of(unit).order_by("path"))
    by_branch = {c.path: Counts() for c in children}
    own, total = Counts(), Counts()
    for r in rows:
        c = Counts(
            units=r["units"],
            held=r["held"],
            sessions=r["sessions"] or 0,
            headcount={g: r[f"h_{g}"] or 0 for g in HEADCOUNT_GROUPS},
            attended={g: r[f"t_{g}"] or 0 for g in HEADCOUNT_GROUPS} | {"public": r["public"] or 0},
            covered={g: r[f"c_{g}"] or 0 for g in HEADCOUNT_GROUPS},
        )
        total.add(c)
        (by_branch.get(r["branch"]) or own).add(c)
    # public items are not per topic: the counters' figures, as on a topic's page
    items = {"unit": total, **{c.pk: by_branch[c.path] for c in children}}
    for r in UnitOutreachRollup.objects.filter(unit__in=[unit, *children]).values(
        "unit_id", "articles", "broadcasts", "events", "other_items", "audience"
    ):
        c = items["unit"] if r["unit_id"] == unit.pk else items[r["unit_id"]]
        c.items = {k: r[k] for k in c.items}
        c.audience = r["audience"]
    own_row = Row(unit, own, own=True) if (own.people or own.sessions) else None
    return AllTopics(
        unit=unit,
        counts=total,
        own=own_row,
        children=[Row(c, by_branch[c.path]) for c in children],
        topics=topic_counts(unit, topics),
    )


def topic_counts(unit: Unit, topics: list[Task]) -> list[tuple[Task, Counts]]:
    """Each topic's coverage of the subtree, from the counters (two queries)."""
    base = UnitOutreachRollup.objects.filter(unit=unit).values(*OUTREACH_COUNTERS).first() or {}
    by_topic = {
        r["topic_id"]: r
        for r in UnitStudyRollup.objects.filter(unit=unit, topic__in=[t.pk for t in topics]).values(
            "topic_id", *STUDY_COUNTERS
        )
    }
    out = []
    for t in topics:
        c = Counts(
            units=base.get("units", 0),
            headcount={g: base.get(g, 0) for g in HEADCOUNT_GROUPS},
        )
        r = by_topic.get(t.pk)
        if r is not None:
            c.sessions, c.held = r["sessions"], r["held"]
            c.attended = {g: r[f"att_{g}"] for g in GROUPS}
            c.covered = {g: r[f"cov_{g}"] for g in HEADCOUNT_GROUPS}
        out.append((t, c))
    return out


def units_without_any_session(unit: Unit) -> UnitQuerySet:
    """Counted units of the subtree with people and no session at all, in tree order."""
    qs = _with_people(Unit.objects.subtree_of(unit).filter(dissolved_on__isnull=True))
    return qs.exclude(Exists(StudySession.objects.filter(unit=OuterRef("pk")))).order_by("path")

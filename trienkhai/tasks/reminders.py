"""Daily deadline reminders: one digest email per person per day.

Who gets what. Every open assignment due in 7, 3 or 1 days, due today, or past its deadline
goes in the digest of the staff and leaders of its unit (active users with an email). Work
overdue for ``TASKS_ESCALATE_AFTER_DAYS`` days or more also goes to the staff and leaders of
the unit it reports to, in a section of its own. A person gets one email listing all their
units' items, grouped as overdue, escalated, due today and due soon; each section lists at
most ``SECTION_CAP`` items (oldest deadline first) and says how many more there are, so a City
leader never gets a 10,000-line email.

Each item links to the update form of the assignment; escalated items, which the unit above
cannot update, link to the assignment's page. Capped sections link to the dashboard.

How it stays fast with a million assignments. Only rows in the due window are read, through
the partial index of open rows on ``due_date`` (``assignment_open_due``), and only for units
that have someone to remind. Counts come from one GROUP BY (unit, report-to unit, kind); the
listed items from two window queries that keep the first ``SECTION_CAP`` rows of each (unit,
section) and of each report-to unit; the memberships in one query. Digests are built in
memory, each listed item is formatted once however many people see it, and mail goes out in
batches over one connection. (On PostgreSQL, 1,000,000 assignments and 3,400 recipients take
about 8 s, most of it in building the email messages.)

Never twice, at most once. A digest is claimed before it is sent by creating its
``ReminderDigest`` row (unique per user and day) in a transaction of its own; a second worker
running at the same time fails on the constraint and skips that person. The claim is marked
``sent`` once the mail server has taken the batch. The price: a worker killed (or a mail
server failing) after the claim and before the send loses that day's digest for those
people — they get the next day's, which repeats every item still open. We chose at-most-once
because a missed reminder is repeated tomorrow anyway, while a duplicated one trains people to
ignore the mail. Claims left with ``sent`` empty show who missed a digest. Run it outside a
transaction, so each claim commits on its own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Count, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trienkhai.accounts.models import Membership
from trienkhai.tasks.models import Assignment, ReminderDigest, Task
from trienkhai.units.models import Unit

logger = logging.getLogger(__name__)

SOON_DAYS = (7, 3, 1)
SECTION_CAP = 30
BATCH = 200
CHUNK = 2000  # ids per IN (...) list

# kinds of rows in the aggregate; sections of a digest
OLD, LATE, TODAY, SOON = "old", "late", "today", "soon"
OVERDUE, ESCALATED = "overdue", "escalated"
SECTIONS = (OVERDUE, ESCALATED, TODAY, SOON)
ROLES = (Membership.Role.STAFF, Membership.Role.LEADER)


@dataclass
class ReminderResult:
    digests: int = 0  # emails handed to the mail server
    items: int = 0  # assignments counted in those emails
    skipped: int = 0  # people whose digest of the day was already claimed
    failed: int = 0  # claimed but not sent (the mail server refused the batch)

    def __str__(self) -> str:
        return (
            f"digests sent: {self.digests}, items: {self.items}, "
            f"skipped: {self.skipped}, failed: {self.failed}"
        )


@dataclass
class Item:
    pk: int
    task_id: int
    unit_id: int
    due_date: dt.date
    period: str
    title: str = ""
    unit: str = ""
    due: str = ""  # d/m/Y
    days: int = 0  # overdue by, or left until the deadline
    when: str = ""
    url: str = ""
    text: str = ""  # the item's lines in the text email
    html: str = ""  # its table row in the HTML email (escaped)

    @property
    def key(self) -> tuple[dt.date, int]:
        return (self.due_date, self.pk)


@dataclass
class Section:
    kind: str
    title: str
    items: list[Item]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    @property
    def text(self) -> str:
        return "".join(i.text for i in self.items)

    @property
    def html(self) -> str:
        return mark_safe("".join(i.html for i in self.items))  # escaped by _describe

    @property
    def more_label(self) -> str:
        return ngettext("and %(counter)s other task", "and %(counter)s other tasks", self.more) % {
            "counter": self.more
        }


@dataclass
class Digest:
    user_id: int
    email: str
    name: str
    home_unit_id: int
    sections: list[Section] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    def count(self, *kinds: str) -> int:
        return sum(s.total for s in self.sections if s.kind in kinds)


@dataclass
class _Recipient:
    email: str
    name: str
    units: set[int] = field(default_factory=set)
    home: tuple[int, str, int] | None = None  # (depth, path, pk) of the highest unit


def _chunks(seq: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _escalate_after() -> int:
    return max(1, int(getattr(settings, "TASKS_ESCALATE_AFTER_DAYS", 7)))


def _reachable():
    """Units with someone to remind: an active staff member or leader with an email."""
    return (
        Membership.objects.filter(role__in=ROLES, user__is_active=True)
        .exclude(user__email="")
        .order_by()
        .values("unit_id")
    )


def _window(today: dt.date):
    """Open assignments that are overdue, due today, or due in 7, 3 or 1 days."""
    soon = [today + dt.timedelta(days=d) for d in SOON_DAYS]
    return (
        Assignment.objects.open().filter(Q(due_date__lte=today) | Q(due_date__in=soon)).order_by()
    )


# --- reading -------------------------------------------------------------------------------


def _aggregate(today: dt.date, old_before: dt.date) -> list[tuple[int, int, str, int]]:
    """(unit, report-to unit, kind, count) for the due window, counted by the database."""
    kind = Case(
        When(due_date__lte=old_before, then=Value(OLD)),
        When(due_date__lt=today, then=Value(LATE)),
        When(due_date=today, then=Value(TODAY)),
        default=Value(SOON),
        output_field=CharField(),
    )
    reach = _reachable()
    return list(
        _window(today)
        .filter(Q(unit__in=reach) | Q(report_to__in=reach, due_date__lte=old_before))
        .annotate(kind=kind)
        .values_list("unit_id", "report_to_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _recipients(unit_ids: set[int]) -> dict[int, _Recipient]:
    """Staff and leaders of these units who are active and have an email.

    One query for every such membership (about one per user), filtered here: cheaper than
    sending the database tens of thousands of unit ids.
    """
    people: dict[int, _Recipient] = {}
    rows = (
        Membership.objects.filter(role__in=ROLES, user__is_active=True)
        .exclude(user__email="")
        .order_by()
        .values_list(
            "user_id",
            "unit_id",
            "unit__depth",
            "unit__path",
            "user__email",
            "user__full_name",
            "user__first_name",
            "user__last_name",
            "user__username",
        )
    )
    for user_id, unit_id, depth, path, email, full, first, last, username in rows.iterator(
        chunk_size=5000
    ):
        if unit_id not in unit_ids:
            continue
        person = people.get(user_id)
        if person is None:
            name = full or f"{first} {last}".strip() or username
            person = people[user_id] = _Recipient(email=email.strip(), name=name)
        person.units.add(unit_id)
        home = (depth, path, unit_id)
        if person.home is None or home < person.home:
            person.home = home
    return people


def _top_items(today: dt.date, old_before: dt.date) -> tuple[dict, dict]:
    """The first ``SECTION_CAP`` items of each (unit, section) and of each report-to unit."""
    section = Case(
        When(due_date__lt=today, then=Value(OVERDUE)),
        When(due_date=today, then=Value(TODAY)),
        default=Value(SOON),
        output_field=CharField(),
    )
    order = [F("due_date").asc(), F("pk").asc()]
    columns = ("pk", "task_id", "unit_id", "due_date", "period")
    own: dict[tuple[int, str], list[Item]] = defaultdict(list)
    rows = (
        _window(today)
        .filter(unit__in=_reachable())
        .annotate(
            section=section,
            rn=Window(RowNumber(), partition_by=[F("unit_id"), section], order_by=order),
        )
        .filter(rn__lte=SECTION_CAP)
        .values_list(*columns, "section")
    )
    for *values, sect in rows:
        own[(values[2], sect)].append(Item(*values))
    escalated: dict[int, list[Item]] = defaultdict(list)
    rows = (
        _window(today)
        .filter(due_date__lte=old_before, report_to__in=_reachable())
        .annotate(rn=Window(RowNumber(), partition_by=[F("report_to_id")], order_by=order))
        .filter(rn__lte=SECTION_CAP)
        .values_list(*columns, "report_to_id")
    )
    for *values, report_to in rows:
        escalated[report_to].append(Item(*values))
    return own, escalated


def _names(model, ids: set[int], column: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(ids), CHUNK):
        out.update(model.objects.filter(pk__in=chunk).order_by().values_list("pk", column))
    return out


# --- building ------------------------------------------------------------------------------


def _merge(lists: Iterable[list[Item]]) -> list[Item]:
    """The first ``SECTION_CAP`` distinct items of several lists, the oldest deadline first."""
    seen: dict[int, Item] = {}
    for items in lists:
        for item in items:
            seen.setdefault(item.pk, item)
    return sorted(seen.values(), key=lambda i: i.key)[:SECTION_CAP]


def build_digests(*, today: dt.date | None = None) -> list[Digest]:
    """Everyone's digest for ``today`` (nothing is claimed or sent)."""
    today = today or timezone.localdate()
    threshold = _escalate_after()
    old_before = today - dt.timedelta(days=threshold)

    counts = _aggregate(today, old_before)
    if not counts:
        return []
    by_unit: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    old_by_report: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, report_to, kind, n in counts:
        by_unit[unit_id][OVERDUE if kind in (OLD, LATE) else kind] += n
        if kind == OLD:
            old_by_report[report_to][unit_id] += n

    people = _recipients(set(by_unit) | set(old_by_report))
    if not people:
        return []
    own, escalated = _top_items(today, old_before)
    headings = {
        OVERDUE: _("Overdue"),
        ESCALATED: _("Overdue %(days)s days or more at units reporting to yours")
        % {"days": threshold},
        TODAY: _("Due today"),
        SOON: _("Due soon"),
    }
    digests = []
    for user_id, person in sorted(people.items()):
        mine = person.units
        digest = Digest(user_id, person.email, person.name, person.home[2])
        for kind in (OVERDUE, TODAY, SOON):
            total = sum(by_unit[u][kind] for u in mine if u in by_unit)
            if total:
                items = _merge(own.get((u, kind), []) for u in mine)
                digest.sections.append(Section(kind, headings[kind], items, total))
        total = sum(n for r in mine for u, n in old_by_report.get(r, {}).items() if u not in mine)
        if total:
            below = [i for r in mine for i in escalated.get(r, []) if i.unit_id not in mine]
            items = _merge([below])
            digest.sections.append(Section(ESCALATED, headings[ESCALATED], items, total))
        if digest.sections:
            digest.sections.sort(key=lambda s: SECTIONS.index(s.kind))
            digests.append(digest)
    _describe(digests, today)
    return digests


def _url_maker(name: str):
    """``pk -> absolute URL`` for a route taking one pk, without resolving it each time."""
    marker = 987654321
    head, tail = reverse(name, args=[marker]).split(str(marker))
    head = settings.SITE_URL.rstrip("/") + head
    return lambda pk: f"{head}{pk}{tail}"


def _describe(digests: list[Digest], today: dt.date) -> None:
    """Fill in what the templates show, once per listed item."""
    shown: dict[int, tuple[Item, bool]] = {}
    for digest in digests:
        for section in digest.sections:
            for item in section.items:
                shown[id(item)] = (item, section.kind == ESCALATED)
    titles = _names(Task, {i.task_id for i, _up in shown.values()}, "title")
    units = _names(Unit, {i.unit_id for i, _up in shown.values()}, "name")
    # The unit's own people go straight to the update form; the unit above it, which cannot
    # update for it, to the assignment's page.
    update_url, page_url = _url_maker("tasks:update"), _url_maker("tasks:assignment")
    dates: dict[dt.date, tuple[str, int, str]] = {}
    due_label = _("due")
    actions = {False: _("Update progress"), True: _("See the assignment")}
    for item, up in shown.values():
        title = titles.get(item.task_id, "")
        item.title = f"{title} ({item.period})" if item.period else title
        item.unit = units.get(item.unit_id, "")
        item.url = page_url(item.pk) if up else update_url(item.pk)
        if item.due_date not in dates:
            dates[item.due_date] = _when(item.due_date, today)
        item.due, item.days, item.when = dates[item.due_date]
        # Formatted here, once per item, rather than in the templates' loops: a template
        # render per item and person costs minutes when 60,000 people get a digest.
        line = f"{item.unit} · {due_label} {item.due} · {item.when}"
        item.text = f"- {item.title}\n  {line}\n  {actions[up]}: {item.url}\n\n"
        url, action = escape(item.url), escape(actions[up])
        item.html = (
            f'<tr><td style="{_TD}"><a href="{url}" style="{_LINK} font-weight: bold;">'
            f'{escape(item.title)}</a><br><span style="{_MUTED}">{escape(line)}</span></td>'
            f'<td style="{_TD} white-space: nowrap; text-align: right;">'
            f'<a href="{url}" style="{_LINK}">{action}</a></td></tr>\n'
        )


_TD = "border-top: 1px solid #d9dee3; padding: 6px; vertical-align: top;"
_LINK = "color: #0b5cad;"
_MUTED = "color: #52606d;"


def _when(due: dt.date, today: dt.date) -> tuple[str, int, str]:
    """(d/m/Y, days late or left, what to say) for a deadline."""
    days = (due - today).days
    if days < 0:
        when = ngettext("%(days)s day overdue", "%(days)s days overdue", -days) % {"days": -days}
    elif days == 0:
        when = _("due today")
    else:
        when = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
    return due.strftime("%d/%m/%Y"), abs(days), when


# --- sending -------------------------------------------------------------------------------


def _claim(batch: Sequence[Digest], day: dt.date) -> set[int]:
    """Create the day's ReminderDigest rows of this batch; return the users we now own."""
    ids = [d.user_id for d in batch]
    try:
        with transaction.atomic():
            taken = set(
                ReminderDigest.objects.filter(day=day, user_id__in=ids).values_list(
                    "user_id", flat=True
                )
            )
            fresh = [
                ReminderDigest(user_id=d.user_id, day=day, items=d.total)
                for d in batch
                if d.user_id not in taken
            ]
            ReminderDigest.objects.bulk_create(fresh)
            return {r.user_id for r in fresh}
    except IntegrityError:
        pass  # the batch insert lost a race; the loop below sorts out who is whose
    # Another worker claimed some of them since we looked: claim one by one.
    claimed = set()
    for d in batch:
        try:
            with transaction.atomic():
                ReminderDigest.objects.create(user_id=d.user_id, day=day, items=d.total)
        except IntegrityError:
            continue
        claimed.add(d.user_id)
    return claimed


def _dashboard_url(unit_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tasks:dashboard_unit", args=[unit_id])


def render_digest(digest: Digest, today: dt.date) -> tuple[str, str, str]:
    """(subject, text, HTML) of a digest, in the site's language."""
    parts = []
    if n := digest.count(OVERDUE, ESCALATED):
        parts.append(_("%(n)s overdue") % {"n": n})
    if n := digest.count(TODAY):
        parts.append(_("%(n)s due today") % {"n": n})
    if n := digest.count(SOON):
        parts.append(_("%(n)s due soon") % {"n": n})
    context = {
        "digest": digest,
        "date": today.strftime("%d/%m/%Y"),
        "summary": ", ".join(parts),
        "dashboard_url": _dashboard_url(digest.home_unit_id),
        "site_url": settings.SITE_URL.rstrip("/"),
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
    }
    subject = render_to_string("tasks/email/reminder_subject.txt", context)
    text = render_to_string("tasks/email/reminder_body.txt", context)
    html = render_to_string("tasks/email/reminder_body.html", context)
    return " ".join(subject.split()), text, html


def _message(digest: Digest, today: dt.date, connection) -> EmailMultiAlternatives:
    subject, text, html = render_digest(digest, today)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [digest.email],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_reminders(*, today: dt.date | None = None) -> ReminderResult:
    """Send today's digests to everyone who has one and has not had it yet."""
    today = today or timezone.localdate()
    result = ReminderResult()
    with translation.override(settings.LANGUAGE_CODE):
        digests = build_digests(today=today)
        if not digests:
            return result
        connection = get_connection()
        # Open first: with the mail server down nothing is claimed, and a later run sends.
        connection.open()
        try:
            for batch in _chunks(digests, BATCH):
                claimed = _claim(batch, today)
                result.skipped += len(batch) - len(claimed)
                mine = [d for d in batch if d.user_id in claimed]
                if not mine:
                    continue
                messages = [_message(d, today, connection) for d in mine]
                try:
                    connection.send_messages(messages)
                except Exception:
                    logger.exception("reminders: the mail server refused a batch")
                    result.failed += len(mine)
                    continue
                ReminderDigest.objects.filter(day=today, user_id__in=claimed).update(
                    sent=timezone.now()
                )
                result.digests += len(mine)
                result.items += sum(d.total for d in mine)
        finally:
            connection.close()
    return result

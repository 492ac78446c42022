"""The dashboard a leader opens every morning: roll-up, drill-down, charts, export.

Every figure comes from ``selectors.rollup`` (counters: a constant number of queries whatever
the size of the subtree); the overdue list reuses the roll-up's overdue count instead of
letting the paginator run ``COUNT(*)`` over a million rows.
"""

from __future__ import annotations

import datetime as dt
import heapq
import html
import math
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import can_read_unit, get_unit_for_user, home_unit
from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user
from trienkhai.tasks import exports, selectors
from trienkhai.tasks.models import Task, UnitTaskRollup
from trienkhai.tasks.selectors import Counts, Rollup, RollupRow, TaskFilter, tasks_for_user
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold

CHILDREN_PER_PAGE = 50
OVERDUE_PER_PAGE = 20
RANKING_SIZE = 10
FILTER_CHOICES = 200  # tasks and documents offered in the filter menus, newest first
MAX_ID = 2_147_483_647
SORTS = ("name", "overdue", "on_time_rate", "update_rate", "total")
DEFAULT_SORT = "name"
# Buckets in the order the stacked bars draw them: finished work first, then what is late.
BAR_BUCKETS = ("done_on_time", "done_late", "in_progress", "not_started", "overdue")
BUCKET_LABELS = {
    "done_on_time": gettext_lazy("Done on time"),
    "done_late": gettext_lazy("Done late"),
    "in_progress": gettext_lazy("In progress"),
    "not_started": gettext_lazy("Not started"),
    "overdue": gettext_lazy("Overdue"),
}


def escape(value: Any) -> str:
    """What ``{{ value }}`` writes: django.utils.html.escape without its lazy-string wrapper."""
    return html.escape(str(value))


# --- filters ---------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """Allow-listed GET filters; a value that is malformed or out of reach is ignored."""

    task = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    document = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *Task.Kind.choices])
    starred = forms.ChoiceField(required=False, choices=[("", ""), ("1", "1")])

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.user = user

    def clean_task(self) -> Task | None:
        pk = self.cleaned_data.get("task")
        if pk is None:
            return None
        task = tasks_for_user(self.user).filter(pk=pk).only("pk", "title").first()
        if task is None:
            raise ValidationError("out of reach", code="invalid")
        return task

    def clean_document(self) -> Document | None:
        pk = self.cleaned_data.get("document")
        if pk is None:
            return None
        document = (
            documents_for_user(self.user)
            .filter(pk=pk)
            .only("pk", "symbol", "title", "summary")
            .first()
        )
        if document is None:
            raise ValidationError("out of reach", code="invalid")
        return document

    @cached_property
    def values(self) -> dict[str, Any]:
        """The valid filters (fields with a bad value are simply left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}

    def task_filter(self) -> TaskFilter:
        v = self.values
        return TaskFilter(
            task=v.get("task"),
            document_id=v["document"].pk if v.get("document") else None,
            kind=v.get("kind") or None,
            starred=v.get("starred") == "1",
        )

    def params(self) -> dict[str, str]:
        """The valid filters as query parameters, for links that keep them."""
        out = {}
        for name in ("task", "document", "kind", "starred"):
            value = self.values.get(name)
            if value is not None:
                out[name] = str(value.pk if hasattr(value, "pk") else value)
        return out

    @property
    def ignored(self) -> bool:
        return any(self.data.get(name) for name in self.errors)

    def description(self) -> list[tuple[str, str]]:
        """(label, value) of each active filter, for the page and the export."""
        v = self.values
        out = []
        if v.get("task"):
            out.append((_("Task"), v["task"].title))
        if v.get("document"):
            out.append((_("Source document"), document_label(v["document"])))
        if v.get("kind"):
            out.append((_("Kind of task"), str(Task.Kind(v["kind"]).label)))
        if v.get("starred"):
            out.append((_("Priority tasks only"), _("yes")))
        return out


def document_label(document: Document) -> str:
    text = document.summary or document.title or ""
    text = text if len(text) <= 70 else text[:69] + "…"
    if document.symbol:
        return f"{document.symbol} — {text}" if text else document.symbol
    return text or f"#{document.pk}"


def _filter_menus(user: Any, unit: Unit, form: DashboardFilterForm) -> dict[str, list]:
    """Tasks with assignments in the unit's subtree, and their source documents."""
    here = UnitTaskRollup.objects.filter(unit=unit).values("task_id")
    # A task with assignments in a subtree the user reads is a task the user may read
    # (selectors.tasks_for_user), so the costly visibility test is not repeated here.
    tasks = list(
        Task.objects.filter(pk__in=here)
        .order_by("-created", "-pk")
        .only("pk", "title")[:FILTER_CHOICES]
    )
    documents = list(
        documents_for_user(user)
        .filter(pk__in=Task.objects.filter(pk__in=here).values("source_document_id"))
        .order_by("-issue_date", "-pk")
        .only("pk", "symbol", "title", "summary")[:FILTER_CHOICES]
    )
    chosen_task, chosen_doc = form.values.get("task"), form.values.get("document")
    if chosen_task is not None and all(t.pk != chosen_task.pk for t in tasks):
        tasks.insert(0, chosen_task)
    if chosen_doc is not None and all(d.pk != chosen_doc.pk for d in documents):
        documents.insert(0, chosen_doc)
    task_pk = chosen_task.pk if chosen_task is not None else None
    doc_pk = chosen_doc.pk if chosen_doc is not None else None
    kind = form.values.get("kind")
    return {
        "task_options": _options(
            (t.pk, t.title if len(t.title) <= 90 else t.title[:89] + "…", t.pk == task_pk)
            for t in tasks
        ),
        "document_options": _options((d.pk, document_label(d), d.pk == doc_pk) for d in documents),
        "kind_options": _options((v, label, v == kind) for v, label in Task.Kind.choices),
    }


def _options(choices: Any) -> SafeString:
    """``<option>`` elements from (value, label, selected) (two hundred of each menu)."""
    return SafeString(
        "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>"
            for value, label, selected in choices
        )
    )


# --- bars, sorting, rankings -----------------------------------------------------------------


class Numbers:
    """Localized numbers, with the locale's formats read once (``number_format`` reads them
    again on every call, and a national page formats a few thousand numbers)."""

    def __init__(self) -> None:
        lang = get_language()
        self.decimal = get_format("DECIMAL_SEPARATOR", lang)
        self.thousand = get_format("THOUSAND_SEPARATOR", lang)
        self.grouping = get_format("NUMBER_GROUPING", lang)
        self.fast = self.grouping == 3 or self.grouping == 0  # else: number_format does it
        self.use_thousand = settings.USE_THOUSAND_SEPARATOR

    def grouped(self, n: int) -> str:
        """An integer as the ``intcomma`` filter writes it: "40.724"."""
        if not self.fast:
            return number_format(n, force_grouping=True)
        if self.grouping == 0 or -1000 < n < 1000:
            return str(n)
        return f"{n:,}".replace(",", self.thousand)

    @cached_property
    def bucket_labels(self) -> dict[str, str]:
        return {bucket: str(label) for bucket, label in BUCKET_LABELS.items()}

    def plain(self, n: int) -> str:
        """An integer as ``{{ n }}`` writes it (grouped only with USE_THOUSAND_SEPARATOR)."""
        return self.grouped(n) if self.use_thousand else str(n)

    def pct(self, value: float | None) -> str:
        """A percentage as people read it here: "66,7 %" (localized, never broken), or a dash."""
        if value is None:
            return "—"
        value = round(value, 1)  # number_format truncates: round first
        if not -1000 < value < 1000:
            return f"{number_format(value, decimal_pos=1 if value % 1 else 0)}\u00a0%"
        if value % 1:
            return f"{value:.1f}".replace(".", self.decimal) + "\u00a0%"
        return f"{value:.0f}\u00a0%"


def pct(value: float | None) -> str:
    """A percentage as people read it here: "66,7 %" (localized, never broken), or a dash."""
    return Numbers().pct(value)


@dataclass
class Segment:
    bucket: str
    label: str
    n: int
    x: str
    width: str
    n_text: str = ""  # n as the page writes it


@dataclass
class Bar:
    """A stacked status bar as SVG geometry (strings: the template must not localize them)."""

    segments: list[Segment]
    label: str
    empty: bool

    def svg(self, big: bool = False) -> SafeString:
        """The bar as inline SVG, its text alternative in aria-label and <title>."""
        label = escape(self.label)
        if self.empty:
            body = '<rect class="seg seg-empty" x="0" y="0" width="100" height="10"></rect>'
        else:
            body = "".join(
                f'<rect class="seg seg-{s.bucket}" x="{s.x}" y="0" width="{s.width}" '
                f'height="10"><title>{escape(s.label)}: {s.n_text}</title></rect>'
                for s in self.segments
            )
        return SafeString(
            f'<svg class="dash-bar{" dash-bar-big" if big else ""}" viewBox="0 0 100 10" '
            f'preserveAspectRatio="none" role="img" aria-label="{label}" focusable="false">'
            f"<title>{label}</title>{body}</svg>"
        )


def bar_for(counts: Counts, nums: Numbers | None = None) -> Bar:
    nums = nums or Numbers()
    labels = nums.bucket_labels
    total = counts.total
    segments, x, parts = [], 0.0, []
    for bucket in BAR_BUCKETS:
        n = getattr(counts, bucket)
        width = 100 * n / total if total else 0.0
        if n:
            label = labels[bucket]
            segments.append(Segment(bucket, label, n, f"{x:.3f}", f"{width:.3f}", nums.plain(n)))
            parts.append(f"{label}: {nums.grouped(n)} ({nums.pct(width)})")
        x += width
    if not total:
        return Bar([], _("No assignments"), True)
    return Bar(segments, "; ".join(parts), False)


@dataclass
class Row:
    """A child unit's line in the table (or the unit's own assignments when ``own``)."""

    unit: Unit
    counts: Counts
    own: bool = False

    @cached_property
    def bar(self) -> Bar:
        return bar_for(self.counts)

    @property
    def never_updated(self) -> bool:
        return self.counts.total > 0 and self.counts.updated == 0

    @property
    def on_time_rate(self) -> str:
        return pct(self.counts.on_time_rate)

    @property
    def update_rate(self) -> str:
        return pct(self.counts.update_rate)


SENTINEL_PK = 2_147_483_646


def _url_maker(name: str) -> Any:
    """``pk -> URL`` for a route taking one pk, reversed once (``reverse`` per row is slow)."""
    head, tail = reverse(name, args=[SENTINEL_PK]).split(str(SENTINEL_PK))
    return lambda pk: f"{head}{pk}{tail}"


class Kit:
    """What the repeated markup (table rows, rankings, overdue list) needs, prepared once per
    request: localized numbers, translated words and URL makers. The rows are written here
    rather than in templates: at national scale a page has a few thousand values, and the
    template engine (an include, a reverse and a number_format per value) took 150–250 ms."""

    def __init__(self, filter_suffix: str = "", list_suffix: str = "") -> None:
        self.nums = Numbers()
        self.unit_url = _url_maker("tasks:dashboard_unit")
        self.children_url = _url_maker("tasks:dashboard_children")
        self.filter_suffix = escape(filter_suffix)
        self.list_suffix = escape(list_suffix)
        self.assigned_directly = _("Assigned directly to %(name)s")
        self.dissolved = escape(_("dissolved"))
        self.not_updated = escape(_("not updated yet"))
        self.open_list = escape(_("Open the list of subordinate units"))
        self.loading = escape(_("Loading…"))
        self.no_reason = escape(_("no reason given"))

    def child_row(self, row: Row) -> str:
        """One ``<tbody>`` of the units table: name, drill-down, status bar, figures."""
        unit, c, nums = row.unit, row.counts, self.nums
        total = c.total
        never = total > 0 and c.updated == 0
        classes = (
            ("dash-row dash-stale" if never else "dash-row")
            + ("" if total else " dash-none")
            + (" dash-own" if row.own else "")
        )
        if row.own:
            name = escape(unit.short_name or unit.name)
            head = f'<span class="dash-ownname">{self.assigned_directly % {"name": name}}</span>\n'
        else:
            head = f'<a href="{self.unit_url(unit.pk)}{self.filter_suffix}">{escape(unit.name)}</a>'
            if unit.dissolved_on:
                head += f' <span class="badge badge-dissolved">{self.dissolved}</span>'
        stale = f' <span class="badge badge-stale">{self.not_updated}</span>' if never else ""
        drill = ""
        if not row.own and unit.numchild:
            url = f"{self.children_url(unit.pk)}{self.list_suffix}"
            n = unit.numchild
            summary = ngettext("%(n)s subordinate unit", "%(n)s subordinate units", n) % {
                "n": nums.plain(n)
            }
            drill = (
                f'\n<details class="drill" hx-get="{url}" hx-trigger="toggle once" '
                'hx-target="closest tbody" hx-swap="beforeend">\n'
                f"<summary>{summary}</summary>\n"
                f'<a class="drill-fallback" href="{url}">{self.open_list}</a> '
                f'<span class="htmx-indicator">{self.loading}</span>\n</details>'
            )
        g = nums.grouped
        overdue = c.overdue
        return (
            f'<tbody class="dash-group">\n<tr class="{classes}">\n'
            f'<th scope="row" class="dash-unit">\n{head}\n{stale}\n{drill}\n</th>\n'
            f'<td class="dash-barcell">{bar_for(c, nums).svg()}\n</td>\n'
            f'<td class="num">{g(total)}</td>\n'
            f'<td class="num">{g(c.done_on_time)}</td>\n'
            f'<td class="num">{g(c.done_late)}</td>\n'
            f'<td class="num">{g(c.within_deadline)}</td>\n'
            f'<td class="num{" dash-bad" if overdue else ""}">{g(overdue)}</td>\n'
            f'<td class="num">{nums.pct(c.on_time_rate)}</td>\n'
            f'<td class="num{" dash-bad" if never else ""}">{nums.pct(c.update_rate)}</td>\n'
            "</tr>\n</tbody>\n"
        )

    def child_rows(self, rows: list[Row]) -> SafeString:
        return SafeString("".join(self.child_row(row) for row in rows))

    def ranking_rows(self, entries: list[Ranked]) -> SafeString:
        return SafeString(
            "".join(
                f'<tr><td class="num">{self.nums.plain(e.rank)}</td><td><a href="'
                f'{self.unit_url(e.unit.pk)}{self.filter_suffix}">'
                f"{escape(e.unit.short_name or e.unit.name)}</a></td>"
                f'<td class="num"><strong>{e.rate}</strong> '
                f'<span class="dash-note">({escape(e.detail)})</span></td></tr>'
                for e in entries
            )
        )

    def overdue_rows(self, rows: list[tuple[Any, int]]) -> SafeString:
        assignment_url = _url_maker("tasks:assignment")
        out = []
        for a, days in rows:
            period = f' <span class="dash-note">({escape(a.period)})</span>' if a.period else ""
            reason = (
                escape(Truncator(a.reason).chars(200))
                if a.reason
                else f'<span class="dash-noreason">{self.no_reason}</span>'
            )
            due = a.due_date
            due_text = f"{due.day:02d}/{due.month:02d}/{due.year:04d}" if due else ""
            out.append(
                "<tr>\n"
                f'<td><a href="{self.unit_url(a.unit.pk)}{self.filter_suffix}">'
                f"{escape(a.unit.name)}</a></td>\n"
                f'<td><a href="{assignment_url(a.pk)}">{escape(a.task.title)}</a>{period}</td>\n'
                f"<td>{due_text}</td>\n"
                f'<td class="num dash-bad">{self.nums.grouped(days)}</td>\n'
                f"<td>{reason}</td>\n</tr>"
            )
        return SafeString("".join(out))


def _name_key(row: Any) -> tuple[str, int]:
    unit = row.unit
    return (unit.search_text or fold(unit.name), unit.pk)


def sort_rows(rows: list[RollupRow], sort: str) -> list[RollupRow]:
    """Rows in the order asked for; units without a rate go last either way, ties by name."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    by_name = sorted(rows, key=_name_key)
    if key == "name":
        return by_name[::-1] if descending else by_name

    def value(row: RollupRow) -> Any:
        return getattr(row.counts, key)

    present = [r for r in by_name if value(r) is not None]
    missing = [r for r in by_name if value(r) is None]
    present.sort(key=value, reverse=descending)  # stable: equal values stay in name order
    return present + missing


@dataclass
class Ranked:
    rank: int
    unit: Unit
    rate: str
    detail: str
    value: float


@dataclass
class Ranking:
    title: str
    best: list[Ranked]
    worst: list[Ranked]
    size: int
    best_html: str = ""  # the table rows, written by the view (Kit.ranking_rows)
    worst_html: str = ""


def ranking(rows: list[RollupRow], attr: str, title: str, nums: Numbers | None = None) -> Ranking:
    """The best and the lowest units by a rate (all of them when there are few); ties share a
    rank and go by name; units without assignments, or without a rate yet, take no part.
    Only the entries shown are formatted: a unit may have thousands of children."""
    nums = nums or Numbers()
    scored = [(getattr(r.counts, attr), r) for r in rows if r.counts.total]
    scored = [(value, r) for value, r in scored if value is not None]
    scored.sort(key=lambda vr: _name_key(vr[1]))
    scored.sort(key=lambda vr: vr[0], reverse=True)
    ranks, previous, rank = [], None, 0
    for i, (value, _row) in enumerate(scored, start=1):
        if value != previous:
            rank, previous = i, value
        ranks.append(rank)

    of = _("%(n)s of %(m)s")

    def entry(i: int) -> Ranked:
        value, row = scored[i]
        c = row.counts
        n, m = (
            (c.done_on_time, c.done + c.overdue) if attr == "on_time_rate" else (c.updated, c.total)
        )
        return Ranked(ranks[i], row.unit, nums.pct(value), of % {"n": n, "m": m}, value)

    if len(scored) <= 2 * RANKING_SIZE:  # a short list reads better whole than cut in two
        return Ranking(title, [entry(i) for i in range(len(scored))], [], len(scored))
    lowest = heapq.nsmallest(
        RANKING_SIZE, range(len(scored)), key=lambda i: (scored[i][0], _name_key(scored[i][1]))
    )
    return Ranking(
        title,
        [entry(i) for i in range(RANKING_SIZE)],
        [entry(i) for i in lowest],
        len(scored),
    )


def own_row(roll: Rollup) -> Row | None:
    """The unit's own assignments: its subtree minus its children's subtrees."""
    own = Counts()
    own.add(roll.counts)
    for child in roll.children:
        for name in ("not_started", "in_progress", "done_on_time", "done_late", "overdue"):
            setattr(own, name, getattr(own, name) - getattr(child.counts, name))
        own.updated -= child.counts.updated
    return Row(roll.unit, own, own=True) if own.total > 0 else None


# --- timeline chart --------------------------------------------------------------------------

CHART_W, CHART_H = 720, 240
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 40, 8, 16, 34
SERIES = ("due", "done_on_time", "done_late")


def _nice_step(value: float) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def timeline_chart(months: list[dict]) -> dict[str, Any]:
    """Geometry of the monthly grouped bar chart (numbers pre-formatted for SVG)."""
    step = _nice_step(max((m[s] for m in months for s in SERIES), default=0) / 4)
    top = 4 * step
    plot_w = CHART_W - PLOT_LEFT - PLOT_RIGHT
    plot_h = CHART_H - PLOT_TOP - PLOT_BOTTOM
    group = plot_w / max(len(months), 1)
    bar_w = group * 0.24
    labels = {
        "due": _("Due in the month"),
        "done_on_time": _("Completed on time"),
        "done_late": _("Completed late"),
    }
    groups = []
    for i, m in enumerate(months):
        left = PLOT_LEFT + i * group + group * 0.14
        bars = []
        for j, series in enumerate(SERIES):
            n = m[series]
            h = plot_h * n / top
            x = left + j * bar_w
            y = PLOT_TOP + plot_h - h
            bars.append(
                {
                    "series": series,
                    "n": n,
                    "x": f"{x:.1f}",
                    "y": f"{y:.1f}",
                    "w": f"{bar_w - 1:.1f}",
                    "h": f"{h:.1f}",
                    "tx": f"{x + (bar_w - 1) / 2:.1f}",
                    "ty": f"{y - 3:.1f}",
                    "title": f"{m['month']:%m/%Y} — {labels[series]}: {n}",
                }
            )
        groups.append(
            {
                "month": m["month"],
                "label_x": f"{PLOT_LEFT + i * group + group / 2:.1f}",
                "bars": bars,
                **{s: m[s] for s in SERIES},
            }
        )
    ticks = []
    for k in range(5):
        value = step * k
        y = PLOT_TOP + plot_h - plot_h * value / top
        ticks.append({"value": value, "y": f"{y:.1f}", "ty": f"{y + 4:.1f}"})
    plain = Numbers().plain
    label_y = CHART_H - PLOT_BOTTOM + 18
    ticks_html = "".join(
        f'<line x1="{PLOT_LEFT}" x2="{CHART_W - PLOT_RIGHT}" y1="{t["y"]}" y2="{t["y"]}"></line>'
        f'<text class="tl-tick" x="{PLOT_LEFT - 6}" y="{t["ty"]}">{plain(t["value"])}</text>'
        for t in ticks
    )
    groups_html = "".join(
        "<g>"
        + "".join(
            f'<rect class="tl tl-{b["series"]}" x="{b["x"]}" y="{b["y"]}" width="{b["w"]}" '
            f'height="{b["h"]}"><title>{escape(b["title"])}</title></rect>'
            f'<text class="tl-value" x="{b["tx"]}" y="{b["ty"]}">{plain(b["n"])}</text>'
            for b in g["bars"]
            if b["n"]
        )
        + f'<text class="tl-month" x="{g["label_x"]}" y="{label_y}">{g["month"]:%m/%Y}</text></g>'
        for g in groups
    )
    table_html = "".join(
        f'<tr><th scope="row">{g["month"]:%m/%Y}</th><td class="num">{plain(g["due"])}</td>'
        f'<td class="num">{plain(g["done_on_time"])}</td>'
        f'<td class="num">{plain(g["done_late"])}</td></tr>'
        for g in groups
    )
    return {
        "ticks_html": SafeString(ticks_html),
        "groups_html": SafeString(groups_html),
        "table_html": SafeString(table_html),
        "width": CHART_W,
        "height": CHART_H,
        "left": PLOT_LEFT,
        "right": CHART_W - PLOT_RIGHT,
        "label_y": label_y,
        "axis_y": f"{PLOT_TOP + plot_h:.1f}",
        "groups": groups,
        "ticks": ticks,
        "labels": labels,
        "empty": not any(m[s] for m in months for s in SERIES),
    }


# --- pagination and links --------------------------------------------------------------------


class CountedPaginator(Paginator):
    """A paginator told its count (the roll-up knows it), so it never runs ``COUNT(*)``."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = max(0, count)

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


def _query(params: dict[str, Any]) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return "?" + urlencode(clean) if clean else ""


def _sort_of(request: HttpRequest) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort.lstrip("-") in SORTS and sort.count("-") <= 1 else DEFAULT_SORT


def _page_links(base: str, params: dict, page: Page, name: str) -> dict[str, str]:
    links = {}
    if page.has_previous():
        links["previous"] = base + _query({**params, name: page.previous_page_number()})
    if page.has_next():
        links["next"] = base + _query({**params, name: page.next_page_number()})
    return links


def _sort_headers(base: str, params: dict, sort: str) -> dict[str, dict[str, str]]:
    """Per column: the link that sorts by it (numbers: largest first on the first click)."""
    out = {}
    for key in SORTS:
        if sort == key:
            target, state = f"-{key}", "ascending"
        elif sort == f"-{key}":
            target, state = key, "descending"
        else:
            target, state = (key if key == "name" else f"-{key}"), ""
        out[key] = {"url": base + _query({**params, "sort": target}), "state": state}
    return out


# --- the pages -------------------------------------------------------------------------------


@dataclass
class Board:
    """What the page, the fragment and the export share for one unit and one request."""

    unit: Unit
    form: DashboardFilterForm
    today: dt.date
    sort: str
    roll: Rollup = field(init=False)
    rows: list[RollupRow] = field(init=False)

    def __post_init__(self) -> None:
        self.roll = selectors.rollup(self.unit, flt=self.form.task_filter(), today=self.today)
        self.rows = sort_rows(self.roll.children, self.sort)

    @property
    def filter_params(self) -> dict[str, str]:
        return self.form.params()

    @property
    def list_params(self) -> dict[str, str]:
        sort = {} if self.sort == DEFAULT_SORT else {"sort": self.sort}
        return {**self.filter_params, **sort}

    def child_page(self, number: Any) -> Page:
        return Paginator(self.rows, CHILDREN_PER_PAGE).get_page(number)

    @cached_property
    def kit(self) -> Kit:
        return Kit(_query(self.filter_params), _query(self.list_params))

    def child_context(self, number: Any, base: str) -> dict[str, Any]:
        page = self.child_page(number)
        rows = [Row(r.unit, r.counts) for r in page.object_list]
        own = own_row(self.roll)
        return {
            "own": own,
            "own_html": SafeString(self.kit.child_row(own)) if own and page.number == 1 else "",
            "child_page": page,
            "rows": rows,
            "rows_html": self.kit.child_rows(rows),
            "child_links": _page_links(base, self.list_params, page, "page"),
            "filter_suffix": _query(self.filter_params),
            "list_suffix": _query(self.list_params),
        }


def _board(request: HttpRequest, unit: Unit) -> Board:
    form = DashboardFilterForm(request.GET, user=request.user)
    return Board(unit, form, timezone.localdate(), _sort_of(request))


def _ancestors(request: HttpRequest, unit: Unit) -> list[Unit]:
    return [a for a in Unit.objects.ancestors_of(unit) if can_read_unit(request.user, a)]


def _render_page(request: HttpRequest, unit: Unit) -> HttpResponse:
    v = _board(request, unit)
    here = request.path
    counts = v.roll.counts
    children = v.child_context(request.GET.get("page"), here)
    overdue_page = CountedPaginator(
        selectors.overdue_list(
            unit, flt=v.form.task_filter(), today=v.today, expected=counts.overdue
        ),
        OVERDUE_PER_PAGE,
        count=counts.overdue,
    ).get_page(request.GET.get("opage"))
    child_number = children["child_page"].number
    overdue_params = {**v.list_params, "page": child_number if child_number > 1 else None}
    overdue_rows = (
        [(a, a.days_overdue(v.today)) for a in overdue_page.object_list] if counts.overdue else []
    )
    rankings = [
        ranking(v.rows, "on_time_rate", _("On-time rate"), v.kit.nums),
        ranking(v.rows, "update_rate", _("Update rate"), v.kit.nums),
    ]
    for r in rankings:
        r.best_html = v.kit.ranking_rows(r.best)
        r.worst_html = v.kit.ranking_rows(r.worst)
    context = {
        "unit": unit,
        "today": v.today,
        "form": v.form,
        "menus": _filter_menus(request.user, unit, v.form),
        "filters": v.form.description(),
        "filtered": v.roll.filtered,
        "ignored": v.form.ignored,
        "counts": counts,
        "on_time_percent": pct(counts.on_time_percent),
        "on_time_rate": pct(counts.on_time_rate),
        "update_rate": pct(counts.update_rate),
        "bar_html": bar_for(counts, v.kit.nums).svg(big=True),
        "children_count": len(v.rows),
        "stale_count": sum(1 for r in v.rows if r.counts.total and not r.counts.updated),
        "stale_url": here + _query({**v.filter_params, "sort": "update_rate"}),
        "sort": v.sort,
        "sort_headers": _sort_headers(here, v.filter_params, v.sort),
        "rankings": rankings,
        "overdue_page": overdue_page,
        "overdue_rows": overdue_rows,
        "overdue_html": v.kit.overdue_rows(overdue_rows),
        "overdue_links": _page_links(here, overdue_params, overdue_page, "opage"),
        "chart": timeline_chart(selectors.timeline(unit, today=v.today)),
        "ancestors": _ancestors(request, unit),
        "export_url": reverse("tasks:dashboard_export", args=[unit.pk]) + _query(v.list_params),
        "bar_buckets": [(b, BUCKET_LABELS[b]) for b in BAR_BUCKETS],
        **children,
    }
    return render(request, "tasks/dashboard/page.html", context)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The user's home unit (the highest unit they belong to)."""
    unit = home_unit(request.user)
    if unit is None:
        return render(request, "tasks/dashboard/no_unit.html")
    return _render_page(request, unit)


@login_required
@require_safe
def dashboard_unit(request: HttpRequest, unit_pk: int) -> HttpResponse:
    return _render_page(request, get_unit_for_user(request.user, unit_pk))


@login_required
@require_safe
def dashboard_children(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The child rows of a unit: an htmx fragment (a nested row), or a page without JS."""
    unit = get_unit_for_user(request.user, unit_pk)
    v = _board(request, unit)
    base = reverse("tasks:dashboard_children", args=[unit.pk])
    context = {
        "unit": unit,
        "today": v.today,
        "sort": v.sort,
        "filters": v.form.description(),
        "children_count": len(v.rows),
        "sort_headers": _sort_headers(base, v.filter_params, v.sort),
        "bar_buckets": [(b, BUCKET_LABELS[b]) for b in BAR_BUCKETS],
        **v.child_context(request.GET.get("page"), base),
    }
    if request.htmx:
        return render(request, "tasks/dashboard/_nested.html", context)
    context["ancestors"] = _ancestors(request, unit)
    context["dashboard_url"] = reverse("tasks:dashboard_unit", args=[unit.pk]) + _query(
        v.filter_params
    )
    return render(request, "tasks/dashboard/children.html", context)


@login_required
@require_safe
def dashboard_export(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The current view (filters and order included) as an XLSX workbook."""
    unit = get_unit_for_user(request.user, unit_pk)
    v = _board(request, unit)
    audit(
        AuditEvent.Kind.EXPORT,
        request=request,
        what="dashboard",
        unit=unit.pk,
        format="xlsx",
        filters=v.filter_params,
    )
    overdue = selectors.overdue_list(
        unit, flt=v.form.task_filter(), today=v.today, expected=v.roll.counts.overdue
    )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    exports.write_dashboard(
        out,
        unit=unit,
        today=v.today,
        counts=v.roll.counts,
        rows=v.rows,
        own=own_row(v.roll),
        overdue=overdue,
        overdue_count=v.roll.counts.overdue,
        filters=v.form.description(),
    )
    out.seek(0)
    filename = f"dashboard-{unit.code or unit.pk}-{v.today:%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=exports.XLSX_TYPE)

"""The coverage page: who has studied a topic, in a subtree and in each child's, over time.

Every figure comes from ``selectors.coverage`` (counters: a constant number of queries); the
list of units without a session is paginated in SQL with its count taken from the counters.
Bars and the chart are inline SVG with their figures in text, as on the cascade's dashboard.
"""

from __future__ import annotations

import html
import tempfile
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import can_read_unit, get_unit_for_user, home_unit
from trienkhai.outreach import exports, selectors
from trienkhai.outreach.models import HEADCOUNT_GROUPS
from trienkhai.outreach.selectors import GROUP_LABELS, Counts, Coverage, Row, topic_choices
from trienkhai.tasks.dashboard import CountedPaginator, Numbers
from trienkhai.tasks.models import Assignment, Task
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold

CHILDREN_PER_PAGE = 50
WITHOUT_PER_PAGE = 20
SORTS = ("name", "overall", "sessions", "without")
DEFAULT_SORT = "name"
MAX_PAGE = 100_000


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _query(params: dict[str, Any]) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return "?" + urlencode(clean) if clean else ""


def _page_number(raw: Any) -> int:
    try:
        return max(1, min(int(raw or 1), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


# --- topics ----------------------------------------------------------------------------------


def _topic(request: HttpRequest, choices: list[Task]) -> Task | None:
    raw = request.GET.get("topic", "")
    for t in choices:
        if str(t.pk) == raw:
            return t
    return choices[0] if choices else None


# --- bars and chart --------------------------------------------------------------------------


def bar(percent: float | None, label: str) -> SafeString:
    """A coverage bar as inline SVG (geometry as attributes: the CSP forbids inline styles)."""
    width = 0.0 if percent is None else max(0.0, min(100.0, percent))
    return SafeString(
        f'<svg class="cov-bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        f'aria-label="{_esc(label)}" focusable="false"><title>{_esc(label)}</title>'
        f'<rect class="cov-track" x="0" y="0" width="100" height="8"></rect>'
        f'<rect class="cov-fill" x="0" y="0" width="{width:.2f}" height="8"></rect></svg>'
    )


def group_figures(c: Counts, nums: Numbers) -> list[dict[str, Any]]:
    """Per group with a headcount: covered, headcount, rate, attendance, and its bar."""
    out = []
    for g in HEADCOUNT_GROUPS:
        percent = c.percent(g)
        label = _("%(group)s: %(covered)s of %(headcount)s (%(rate)s)") % {
            "group": GROUP_LABELS[g],
            "covered": nums.grouped(c.covered[g]),
            "headcount": nums.grouped(c.headcount[g]),
            "rate": nums.pct(percent),
        }
        out.append(
            {
                "group": g,
                "label": GROUP_LABELS[g],
                "covered": c.covered[g],
                "headcount": c.headcount[g],
                "attended": c.attended[g],
                "rate": nums.pct(percent),
                "bar": bar(percent, label),
                "capped": c.attended[g] > c.covered[g],
            }
        )
    return out


CHART_W, CHART_H = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 34, 14, 36
SERIES = HEADCOUNT_GROUPS


def chart(months: list[dict[str, Any]], headcount: dict[str, int]) -> dict[str, Any]:
    """Cumulative coverage per group by month, as SVG lines (0–100 %), and the same as a
    table."""
    nums = Numbers()
    plot_w, plot_h = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM
    step = plot_w / max(len(months) - 1, 1)
    ticks = "".join(
        f'<line x1="{LEFT}" x2="{CHART_W - RIGHT}" y1="{TOP + plot_h * (1 - v / 100):.1f}" '
        f'y2="{TOP + plot_h * (1 - v / 100):.1f}"></line>'
        f'<text class="tl-tick" x="{LEFT - 6}" y="{TOP + plot_h * (1 - v / 100) + 4:.1f}">'
        f"{v}\u00a0%</text>"
        for v in (0, 25, 50, 75, 100)
    )
    lines, rows = [], []
    for g in SERIES:
        total = headcount[g]
        if not total:
            continue
        points = []
        for i, m in enumerate(months):
            rate = 100 * m["covered"][g] / total
            points.append(f"{LEFT + i * step:.1f},{TOP + plot_h * (1 - rate / 100):.1f}")
        lines.append(
            f'<polyline class="cov-line cov-{g}" points="{" ".join(points)}">'
            f"<title>{_esc(GROUP_LABELS[g])}</title></polyline>"
        )
    labels = "".join(
        f'<text class="tl-month" x="{LEFT + i * step:.1f}" y="{CHART_H - BOTTOM + 18}">'
        f"{m['month']:%m/%Y}</text>"
        for i, m in enumerate(months)
    )
    for m in months:
        cells = "".join(
            f'<td class="num">{nums.pct(100 * m["covered"][g] / headcount[g])}</td>'
            if headcount[g]
            else '<td class="num">—</td>'
            for g in SERIES
        )
        rows.append(
            f'<tr><th scope="row">{m["month"]:%m/%Y}</th>'
            f'<td class="num">{nums.plain(m["sessions"])}</td>'
            f'<td class="num">{nums.grouped(m["attendance"])}</td>{cells}</tr>'
        )
    return {
        "width": CHART_W,
        "height": CHART_H,
        "ticks_html": SafeString(ticks),
        "lines_html": SafeString("".join(lines) + labels),
        "table_html": SafeString("".join(rows)),
        "axis_y": f"{TOP + plot_h:.1f}",
        "left": LEFT,
        "right": CHART_W - RIGHT,
        "legend": [(g, GROUP_LABELS[g]) for g in SERIES if headcount[g]],
        "empty": not any(m["sessions"] for m in months),
    }


# --- rows ------------------------------------------------------------------------------------


def _name_key(row: Row) -> tuple[str, int]:
    return (row.unit.search_text or fold(row.unit.name), row.unit.pk)


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    """Rows in the order asked for, ties by (accent-folded) name; units without a rate (no
    people) go last either way."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    by_name = sorted(rows, key=_name_key)
    if key == "name":
        return by_name[::-1] if descending else by_name
    values = {
        "overall": lambda r: r.counts.overall,
        "sessions": lambda r: r.counts.sessions,
        "without": lambda r: r.counts.without,
    }
    value = values[key]
    present = [r for r in by_name if value(r) is not None]
    missing = [r for r in by_name if value(r) is None]
    present.sort(key=value, reverse=descending)  # stable: equal values stay in name order
    return present + missing


def _sort_of(request: HttpRequest) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort.lstrip("-") in SORTS and sort.count("-") <= 1 else DEFAULT_SORT


def _sort_headers(base: str, params: dict, sort: str) -> dict[str, dict[str, str]]:
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


def row_html(row: Row, nums: Numbers, unit_url, suffix: str, own_label: str = "") -> str:
    """One line of the units table (written here: a national page has thousands of values)."""
    c = row.counts
    if row.own:
        head = f'<span class="dash-ownname">{_esc(own_label)}</span>'
    else:
        head = f'<a href="{unit_url(row.unit.pk)}{suffix}">{_esc(row.unit.name)}</a>'
        if row.unit.dissolved_on:
            head += f' <span class="badge badge-dissolved">{_esc(_("dissolved"))}</span>'
    overall = c.overall
    label = _("Coverage: %(rate)s") % {"rate": nums.pct(overall)}
    cells = "".join(f'<td class="num">{nums.pct(c.percent(g))}</td>' for g in HEADCOUNT_GROUPS)
    without = nums.plain(c.without) if c.units else "—"
    return (
        f'<tr class="cov-row{" dash-own" if row.own else ""}">'
        f'<th scope="row">{head}</th>'
        f'<td class="cov-barcell">{bar(overall, label)}<span class="cov-rate">'
        f"{nums.pct(overall)}</span></td>"
        f'<td class="num">{nums.plain(c.sessions)}</td>{cells}'
        f'<td class="num">{without}</td>'
        f'<td class="num">{nums.plain(c.items_total)}</td></tr>'
    )


# --- the page --------------------------------------------------------------------------------


def _url_maker(name: str):
    head, tail = reverse(name, args=[2_147_483_646]).split("2147483646")
    return lambda pk: f"{head}{pk}{tail}"


def _without_rows(unit: Unit, topic: Task | None, count: int, number: Any):
    page = CountedPaginator(
        selectors.units_without_session(unit, topic), WITHOUT_PER_PAGE, count=count
    ).get_page(number)
    rows = list(page.object_list)
    parents = {p.path: p for p in Unit.objects.parents_of_many(rows)} if rows else {}
    assigned = set()
    if rows:
        assigned = set(
            Assignment.objects.active()
            .filter(unit__in=[u.pk for u in rows], task__kind=Task.Kind.STUDY)
            .values_list("unit_id", flat=True)
        )
    for u in rows:
        parent = parents.get(u.parent_path)
        u.parent_name = (parent.short_name or parent.name) if parent else ""
        u.people = u.headcount_total
        u.has_assignment = u.pk in assigned
    return page, rows


def _context(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    today = timezone.localdate()
    choices = topic_choices(unit)
    topic = _topic(request, choices)
    cov: Coverage = selectors.coverage(unit, topic)
    sort = _sort_of(request)
    rows = sort_rows(cov.children, sort)
    here = reverse("outreach:coverage_unit", args=[unit.pk])
    topic_params = {"topic": topic.pk} if topic else {}
    list_params = {**topic_params, "sort": None if sort == DEFAULT_SORT else sort}
    nums = Numbers()
    unit_url = _url_maker("outreach:coverage_unit")
    page = Paginator(rows, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    own = cov.own()
    suffix = _esc(_query(topic_params))
    own_label = _("Held by %(name)s itself") % {"name": unit.short_name or unit.name}
    rows_html = "".join(row_html(r, nums, unit_url, suffix) for r in page.object_list)
    if own is not None and page.number == 1:
        rows_html = row_html(own, nums, unit_url, suffix, own_label) + rows_html
    c = cov.counts
    without_page, without = _without_rows(unit, topic, c.without, request.GET.get("npage"))
    months = selectors.timeline(unit, topic, today=today) if topic else []

    def links(page_obj, name: str, extra: dict) -> dict[str, str]:
        out = {}
        if page_obj.has_previous():
            out["previous"] = here + _query({**extra, name: page_obj.previous_page_number()})
        if page_obj.has_next():
            out["next"] = here + _query({**extra, name: page_obj.next_page_number()})
        return out

    return {
        "unit": unit,
        "today": today,
        "topic": topic,
        "topics": choices,
        "counts": c,
        "overall": nums.pct(c.overall),
        "overall_bar": bar(c.overall, _("Coverage: %(rate)s") % {"rate": nums.pct(c.overall)}),
        "groups": group_figures(c, nums),
        "held_rate": nums.pct(c.held_percent),
        "children_count": len(rows),
        "child_page": page,
        "rows_html": SafeString(rows_html),
        "child_links": links(page, "page", list_params),
        "sort_headers": _sort_headers(here, topic_params, sort),
        "without_page": without_page,
        "without": without,
        "without_links": links(without_page, "npage", {**list_params, "page": None}),
        "chart": chart(months, c.headcount) if topic else None,
        "ancestors": [a for a in Unit.objects.ancestors_of(unit) if can_read_unit(request.user, a)],
        "export_url": reverse("outreach:coverage_export", args=[unit.pk]) + _query(list_params),
        "sessions_url": reverse("outreach:sessions") + _query({"unit": unit.pk, **topic_params}),
        "all_url": reverse("outreach:coverage_all", args=[unit.pk]),
        "can_record": bool(selectors.acting_units(request.user)),
    }


@login_required
@require_safe
def coverage_home(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request.user)
    if unit is None:
        return render(request, "outreach/no_unit.html")
    return redirect("outreach:coverage_unit", unit.pk)


@login_required
@require_safe
def coverage_unit(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_pk)
    context = _context(request, unit)
    if request.htmx and request.GET.get("part") == "without":
        return render(request, "outreach/coverage/_without.html", context)
    return render(request, "outreach/coverage/page.html", context)


@login_required
@require_safe
def coverage_export(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The coverage of the subtree as an XLSX workbook (summary, units, units without)."""
    unit = get_unit_for_user(request.user, unit_pk)
    today = timezone.localdate()
    choices = topic_choices(unit)
    topic = _topic(request, choices)
    cov = selectors.coverage(unit, topic)
    audit(
        AuditEvent.Kind.EXPORT,
        request=request,
        what="coverage",
        unit=unit.pk,
        topic=topic.pk if topic else None,
        format="xlsx",
    )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    exports.write_coverage(
        out,
        unit=unit,
        topic=topic,
        today=today,
        coverage=cov,
        rows=sort_rows(cov.children, _sort_of(request)),
        without=selectors.units_without_session(unit, topic),
        without_count=cov.counts.without,
    )
    out.seek(0)
    name = f"coverage-{unit.code or unit.pk}-{today:%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=exports.XLSX_TYPE)


# --- all topics ------------------------------------------------------------------------------


def _all_context(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    nums = Numbers()
    topics = topic_choices(unit)
    a = selectors.all_topics(unit, topics)
    page = Paginator(a.children, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if a.own is not None and page.number == 1:
        rows.insert(0, a.own)
    topic_rows = [
        {
            "topic": t,
            "counts": c,
            "overall": nums.pct(c.overall),
            "bar": bar(c.overall, _("Coverage: %(rate)s") % {"rate": nums.pct(c.overall)}),
            "rates": [nums.pct(c.percent(g)) for g in HEADCOUNT_GROUPS],
        }
        for t, c in a.topics
    ]
    without_page = CountedPaginator(
        selectors.units_without_any_session(unit), WITHOUT_PER_PAGE, count=a.counts.without
    ).get_page(request.GET.get("npage"))
    here = reverse("outreach:coverage_all", args=[unit.pk])

    def link(name: str, number: int) -> str:
        return here + _query({"page": page.number if name == "npage" else None, name: number})

    return {
        "unit": unit,
        "today": timezone.localdate(),
        "a": a,
        "without_page": without_page,
        "without_links": {
            "previous": link("npage", without_page.previous_page_number())
            if without_page.has_previous()
            else "",
            "next": link("npage", without_page.next_page_number())
            if without_page.has_next()
            else "",
        },
        "child_links": {
            "previous": link("page", page.previous_page_number()) if page.has_previous() else "",
            "next": link("page", page.next_page_number()) if page.has_next() else "",
        },
        "rule": selectors.ALL_TOPICS_RULE,
        "counts": a.counts,
        "overall": nums.pct(a.counts.overall),
        "overall_bar": bar(
            a.counts.overall, _("Coverage: %(rate)s") % {"rate": nums.pct(a.counts.overall)}
        ),
        "groups": group_figures(a.counts, nums),
        "held_rate": nums.pct(a.counts.held_percent),
        "topic_rows": topic_rows,
        "rows": [
            {
                "row": r,
                "overall": nums.pct(r.counts.overall),
                "rates": [nums.pct(r.counts.percent(g)) for g in HEADCOUNT_GROUPS],
            }
            for r in rows
        ],
        "child_page": page,
        "ancestors": [a for a in Unit.objects.ancestors_of(unit) if can_read_unit(request.user, a)],
        "export_url": reverse("outreach:coverage_all_export", args=[unit.pk]),
        "topic_url": reverse("outreach:coverage_unit", args=[unit.pk]),
    }


@login_required
@require_safe
def coverage_all(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Coverage of a subtree by any study topic: per group, capped per unit."""
    unit = get_unit_for_user(request.user, unit_pk)
    return render(request, "outreach/coverage/all.html", _all_context(request, unit))


@login_required
@require_safe
def coverage_all_export(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_pk)
    today = timezone.localdate()
    audit(AuditEvent.Kind.EXPORT, request=request, what="coverage_all", unit=unit.pk, format="xlsx")
    a = selectors.all_topics(unit, topic_choices(unit))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    exports.write_all_topics(out, unit=unit, today=today, coverage=a)
    out.seek(0)
    name = f"coverage-all-{unit.code or unit.pk}-{today:%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=exports.XLSX_TYPE)

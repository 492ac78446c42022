"""Reads that add up: a receiver's consolidation, its reporters, and completeness per subtree.

Consolidation reads only the *accepted* reports sent to the receiver (its direct reporters):
each of them already includes its own reporters, so every unit is counted once, along the one
path its report travels. The figures are one GROUP BY over the sources' value rows (plus one
small join per weighted average); averages are weighted by the units each figure covers.

Completeness of a unit's subtree is one GROUP BY over the round's reports by the prefix of
their copied unit path (the child they fall under), whatever the size of the tree.
"""

# Only table and column names from the models are interpolated into SQL here.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, F, FloatField, IntegerField, Max, Min, Q, Sum, When
from django.db.models import Value as V
from django.utils import timezone

from trienkhai.reports.models import COUNT_FIELDS, Indicator, Report, Round, RoundCount, Value
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold

A = Indicator.Aggregation
S = Report.State


@dataclass
class Figure:
    """An indicator's consolidated figure: its value, and where it came from."""

    indicator: Indicator
    value: float | None = None
    reports: int = 0  # source reports that gave a value
    units: int = 0  # reporting units those values cover
    low: float | None = None
    high: float | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None


def _sources(round_: Round, receiver_id: int):
    return Report.objects.filter(
        round=round_, receiver_id=receiver_id, state=S.ACCEPTED, superseded_by__isnull=True
    )


def consolidate(round_: Round, receiver_id: int, indicators: list[Indicator] | None = None):
    """Indicator id → Figure, from the accepted reports sent to ``receiver_id`` in the round.

    Text indicators get the number of answers only; fed indicators are computed like the
    others here (the report's own figure for them comes from the cascade, see feeds.py).
    """
    if indicators is None:
        indicators = list(round_.version.indicators.all())
    figures = {ind.pk: Figure(ind) for ind in indicators}
    if not indicators:
        return figures
    source_ids = _sources(round_, receiver_id).values("pk")
    has_number = Q(number__isnull=False)
    rows = (
        Value.objects.filter(report__in=source_ids)
        .values("indicator_id")
        .annotate(
            n=Count("pk", filter=has_number | ~Q(text="")),
            covered=Sum(Case(When(has_number, then=F("units")), default=V(0))),
            total=Sum("number"),
            weighted=Sum(F("number") * F("units"), output_field=FloatField()),
            low=Min("number"),
            high=Max("number"),
        )
        .order_by()
    )
    for row in rows:
        fig = figures.get(row["indicator_id"])
        if fig is None:
            continue
        ind = fig.indicator
        fig.reports = row["n"] or 0
        fig.units = int(row["covered"] or 0)
        fig.low, fig.high = row["low"], row["high"]
        if not ind.is_numeric and ind.type != Indicator.Type.YES_NO:
            fig.units = fig.reports
            continue
        if row["total"] is None:
            continue
        if ind.aggregation in (A.SUM, A.COUNT_YES):
            fig.value = float(row["total"])
        elif ind.aggregation == A.AVG:
            fig.value = float(row["weighted"]) / fig.units if fig.units else None
        elif ind.aggregation == A.MIN:
            fig.value = row["low"]
        elif ind.aggregation == A.MAX:
            fig.value = row["high"]
    by_code = {ind.code: ind for ind in indicators}
    for ind in indicators:
        weight = by_code.get(ind.weight_code)
        if ind.aggregation == A.WEIGHTED_AVG and weight is not None:
            _weighted(figures[ind.pk], weight, round_, receiver_id)
    return figures


def _weighted(fig: Figure, weight: Indicator, round_: Round, receiver_id: int) -> None:
    """Σ(value × weight) / Σ(weight) over the sources that gave both."""
    v_t, r_t = Value._meta.db_table, Report._meta.db_table
    sql = (
        f"SELECT SUM(v.number * w.number), SUM(w.number), SUM(v.units) FROM {v_t} v "
        f"JOIN {v_t} w ON w.report_id = v.report_id AND w.indicator_id = %s "
        f"JOIN {r_t} r ON r.id = v.report_id "
        "WHERE v.indicator_id = %s AND v.number IS NOT NULL AND w.number IS NOT NULL "
        "AND r.round_id = %s AND r.receiver_id = %s AND r.state = %s "
        "AND r.superseded_by_id IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [weight.pk, fig.indicator.pk, round_.pk, receiver_id, S.ACCEPTED])
        num, den, units = cursor.fetchone()
    fig.value = float(num) / float(den) if den else None
    fig.units = int(units or 0)


def source_values(round_: Round, receiver_id: int, indicator: Indicator):
    """The accepted sources' values of one indicator, with their units (for tracing)."""
    return (
        Value.objects.filter(
            indicator=indicator, report__in=_sources(round_, receiver_id).values("pk")
        )
        .select_related("report__unit")
        .order_by("report__unit_path", "pk")
    )


def excerpts(
    round_: Round, receiver_id: int, *, limit: int = 300, length: int = 500
) -> dict[str, list[tuple[str, int, str]]]:
    """Section key → [(unit name, report id, excerpt)] of the accepted sources' narrative."""
    out: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    rows = (
        _sources(round_, receiver_id)
        .order_by("unit_path")
        .values_list("pk", "unit__name", "narrative")[:limit]
    )
    for pk, name, narrative in rows:
        for key, text in (narrative or {}).items():
            text = " ".join(str(text).split())
            if text:
                short = text if len(text) <= length else text[: length - 1] + "…"
                out[key].append((name, pk, short))
    return dict(out)


# --- reporters and completeness --------------------------------------------------------------


@dataclass
class Tally:
    """Reports of a set (a subtree, or a receiver's reporters) by what they did."""

    expected: int = 0
    submitted: int = 0  # submitted or accepted
    accepted: int = 0
    on_time: int = 0
    returned: int = 0
    not_sent: int = 0  # draft or returned
    waived: int = 0
    past_deadline: bool = False

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def missing(self) -> int:
        """Not submitted once the deadline passed."""
        return self.not_sent if self.past_deadline else 0

    @property
    def pending(self) -> int:
        """Not submitted yet, still within the deadline."""
        return 0 if self.past_deadline else self.not_sent

    def _rate(self, n: int) -> float | None:
        return round(100 * n / self.expected, 1) if self.expected else None

    @property
    def reporting_rate(self) -> float | None:
        return self._rate(self.submitted)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time)

    @property
    def accepted_rate(self) -> float | None:
        return self._rate(self.accepted)

    def add(self, state: str, on_time: bool, n: int) -> None:
        if state == S.WAIVED:
            self.waived += n
            return
        self.expected += n
        if state in (S.SUBMITTED, S.ACCEPTED):
            self.submitted += n
            if on_time:
                self.on_time += n
            if state == S.ACCEPTED:
                self.accepted += n
        else:
            self.not_sent += n
            if state == S.RETURNED:
                self.returned += n


def _on_time(deadline: dt.date) -> Case:
    return Case(
        When(first_submitted_on__lte=deadline, then=V(1)), default=V(0), output_field=IntegerField()
    )


def reporters_tally(round_: Round, receiver_id: int, *, today: dt.date | None = None) -> Tally:
    """How the reports sent to ``receiver_id`` stand."""
    today = today or timezone.localdate()
    tally = Tally(past_deadline=today > round_.deadline)
    rows = (
        Report.objects.filter(round=round_, receiver_id=receiver_id)
        .counted()
        .annotate(ok=_on_time(round_.deadline))
        .values("state", "ok")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        tally.add(row["state"], bool(row["ok"]), row["n"])
    return tally


STATE_ORDER = Case(
    When(state=S.DRAFT, then=V(0)),
    When(state=S.RETURNED, then=V(1)),
    When(state=S.SUBMITTED, then=V(2)),
    When(state=S.ACCEPTED, then=V(3)),
    default=V(4),
    output_field=IntegerField(),
)


def reporters(round_: Round, receiver_id: int):
    """The reports sent to ``receiver_id``, those still to come first (paginate it)."""
    return (
        Report.objects.filter(round=round_, receiver_id=receiver_id)
        .counted()
        .select_related("unit")
        .annotate(state_rank=STATE_ORDER)
        .order_by("state_rank", "unit_path", "pk")
    )


@dataclass
class CompletenessRow:
    unit: Unit
    tally: Tally
    own: bool = False  # the unit's own report, not a child's subtree


@dataclass
class Completeness:
    unit: Unit
    tally: Tally
    rows: list[CompletenessRow] = field(default_factory=list)


def _tally_of(row: RoundCount | None, past: bool) -> Tally:
    t = Tally(past_deadline=past)
    if row is not None:
        for name in COUNT_FIELDS:
            setattr(t, name, getattr(row, name))
    return t


def completeness(round_: Round, unit: Unit, *, today: dt.date | None = None) -> Completeness:
    """Completeness and timeliness of ``unit``'s subtree and of each child's subtree (the
    children holding at least one report of the round): read from the counters, one row per
    child (``counts.py``), whatever the size of the tree. Three queries."""
    today = today or timezone.localdate()
    past = today > round_.deadline
    children = Unit.objects.children_of(unit).order_by().values("pk")
    rows_by_unit = {
        c.unit_id: c
        for c in RoundCount.objects.filter(round=round_)
        .filter(Q(unit=unit) | Q(unit__in=children))
        .select_related("unit")
    }
    total = _tally_of(rows_by_unit.pop(unit.pk, None), past)
    rows = []
    own = Report.objects.filter(round=round_, unit=unit).counted().first()
    if own is not None:
        t = Tally(past_deadline=past)
        on_time = own.first_submitted_on is not None and own.first_submitted_on <= round_.deadline
        t.add(own.state, on_time, 1)
        rows.append(CompletenessRow(unit, t, own=True))
    for c in rows_by_unit.values():
        t = _tally_of(c, past)
        if t.expected or t.waived:
            rows.append(CompletenessRow(c.unit, t))
    return Completeness(unit, total, rows)


SORTS = ("name", "-rate", "rate", "-missing", "-expected")


def sort_rows(rows: list[CompletenessRow], sort: str) -> list[CompletenessRow]:
    """The unit's own row first, then the children in the chosen order."""
    own = [r for r in rows if r.own]
    kids = [r for r in rows if not r.own]

    def name(r: CompletenessRow) -> tuple:
        # as a reader looks a ward up: "Bảy Hiền", "Bình Đông", "Bình Tây" — not by code point
        return (fold(r.unit.name), r.unit.name.casefold(), r.unit.pk)

    def rate(r: CompletenessRow) -> float:
        return r.tally.reporting_rate if r.tally.reporting_rate is not None else -1.0

    if sort == "-rate":
        kids.sort(key=lambda r: (-rate(r), *name(r)))
    elif sort == "rate":
        kids.sort(key=lambda r: (rate(r), *name(r)))
    elif sort == "-missing":
        kids.sort(key=lambda r: (-r.tally.missing, -r.tally.not_sent, *name(r)))
    elif sort == "-expected":
        kids.sort(key=lambda r: (-r.tally.expected, *name(r)))
    else:
        kids.sort(key=name)
    return own + kids

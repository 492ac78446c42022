"""Periodic reports at national scale (called by bench/__main__.py inside a test database).

``build_reports`` loads the country's tree (``tasks_bench.build_tree``: the root, 34
provinces, 3,321 communes and grassroots organizations, 60,000 units), a form of 30
indicators of every aggregation (sums, averages, weighted averages, minimum and maximum,
"yes" counts), and one round in which every unit but the root reports, each straight to the
root (a national survey: the one receiver's consolidation reads 59,999 reports), all accepted,
some late — 1.8 million value rows, loaded with COPY (PostgreSQL) or ``executemany``
(SQLite), secondary indexes built afterwards, statistics refreshed.

Figures:

* ``consolidate_60k_units_s`` — ``consolidation.consolidate`` of the root over the 59,999
  accepted reports, 30 indicators (the pre-fill of the root's report): the median of 3 runs;
* ``completeness_root_ms`` — p95 of the round's page for the root (completeness of the whole
  tree, one row per province), over HTTP as a leader of the root.

``make bench`` measures both on PostgreSQL, under these names. Setup timings and details go
to stderr; figures are yielded.
"""

# Only table and column names from the models are interpolated into SQL here.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from bench.sessions import login_verified
from bench.tasks_bench import (
    UNITS,
    _ForeignKeyChecksOff,
    _Formats,
    _IndexesDropped,
    _log,
    _reset_sequences,
    _timer,
    analyze,
    build_tree,
    insert_rows,
    page_p95_ms,
)

SEED = 2052
INDICATORS = 30
RUNS = 3


@dataclass
class NationalReports:
    round_id: int
    root_id: int
    root_report_id: int
    reports: int
    values: int
    timings: dict[str, float] = field(default_factory=dict)


def _indicators():
    """30 indicators of every aggregation, as a national form would have them."""
    from trienkhai.reports.models import Indicator
    from trienkhai.reports.services import IndicatorData

    T, A = Indicator.Type, Indicator.Aggregation
    out = [IndicatorData(f"S{i:02d}", f"Chỉ tiêu cộng tổng {i}") for i in range(1, 20)]
    out += [IndicatorData("DV", "Tổng số đảng viên", unit_of_measure="người")]
    out += [
        IndicatorData(f"A{i}", f"Tỷ lệ bình quân {i}", type=T.PERCENT, aggregation=A.AVG)
        for i in range(1, 4)
    ]
    out += [
        IndicatorData(
            f"W{i}",
            f"Tỷ lệ bình quân gia quyền {i}",
            type=T.PERCENT,
            aggregation=A.WEIGHTED_AVG,
            weight_code="DV",
        )
        for i in range(1, 3)
    ]
    out += [
        IndicatorData("MIN", "Giá trị nhỏ nhất", type=T.DECIMAL, aggregation=A.MIN),
        IndicatorData("MAX", "Giá trị lớn nhất", type=T.DECIMAL, aggregation=A.MAX),
        IndicatorData("DG", "Điểm tự đánh giá", type=T.DECIMAL, aggregation=A.AVG),
    ]
    out += [
        IndicatorData(f"Y{i}", f"Đã thực hiện {i}", type=T.YES_NO, aggregation=A.COUNT_YES)
        for i in range(1, 3)
    ]
    assert len(out) == INDICATORS
    return out


def _value(ind, rng: random.Random) -> float:
    if ind.type == "yes_no":
        return 1.0 if rng.random() < 0.8 else 0.0
    if ind.type == "percent":
        return round(rng.uniform(40, 100), 1)
    if ind.type == "decimal":
        return round(rng.uniform(0, 10), 2)
    return float(rng.randint(0, 500))


def build_reports(*, units: int = UNITS, seed: int = SEED) -> NationalReports:
    """Load the tree, a 30-indicator form and one accepted round over every unit."""
    from trienkhai.accounts.models import Membership, User
    from trienkhai.reports import counts
    from trienkhai.reports.models import Indicator, Report, Round, Value
    from trienkhai.reports.services import form_create

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    step = _timer(timings)
    fmt = _Formats()
    with step("units"), transaction.atomic():
        tree = build_tree(units)
        leader = User.objects.create(username="bench-leader", full_name="Lãnh đạo Trung ương")
        Membership.objects.create(user=leader, unit_id=tree.root, role=Membership.Role.LEADER)
    today = timezone.localdate()
    with step("form and round"), transaction.atomic():
        from trienkhai.units.models import Unit

        root = Unit.objects.get(pk=tree.root)
        form = form_create(owner=root, by=None, name="Điều tra toàn quốc", indicators=_indicators())
        version = form.latest_version()
        year = today.year - 1
        rnd = Round.objects.create(
            form=form,
            version=version,
            owner=root,
            title=f"Báo cáo kết quả năm {year}",
            period_kind=Round.Period.ANNUAL,
            period_label=str(year),
            period_start=dt.date(year - 1, 12, 15),
            period_end=dt.date(year, 12, 14),
            deadline=dt.date(year, 12, 19),
            target_mode=Round.TargetMode.RULE,
            under=root,
            receiver_mode=Round.ReceiverMode.OWNER,
        )
        indicators = list(Indicator.objects.filter(version=version).order_by("position"))
    r_table, v_table = Report._meta.db_table, Value._meta.db_table
    r_cols = (
        "id", "round_id", "unit_id", "unit_path", "receiver_id", "state", "version",
        "narrative", "symbol", "place", "signer_name", "signer_title", "recipients", "comment",
        "saved_at", "submitted_at", "first_submitted_on", "decided_at", "decided_by_id",
        "superseded_by_id", "created",
    )  # fmt: skip
    created = fmt.moment(rnd.deadline - dt.timedelta(days=30), 480)
    narrative = json.dumps({"results": "Đã hoàn thành các chỉ tiêu của năm."}, ensure_ascii=False)
    unit_ids = [u for u in sorted(tree.paths) if u != tree.root]

    def report_rows() -> Iterator[tuple]:
        yield (1, rnd.pk, tree.root, tree.paths[tree.root], None, "draft", 1, "{}", "", "", "",
               "", "", "", None, None, None, None, None, None, created)  # fmt: skip
        for i, unit in enumerate(unit_ids, start=2):
            sent = rnd.deadline + dt.timedelta(days=rng.randint(-10, 4))
            yield (i, rnd.pk, unit, tree.paths[unit], tree.root, "draft", 3, narrative, "", "",
                   "", "", "", "", None, fmt.moment(sent, 540), fmt.day(sent),
                   fmt.moment(sent, 900), None, None, created)  # fmt: skip

    def value_rows() -> Iterator[tuple]:
        pk = 0
        for i in range(2, len(unit_ids) + 2):
            for ind in indicators:
                pk += 1
                yield (pk, i, ind.pk, _value(ind, rng), "", 1)

    with step("reports"), transaction.atomic(), _ForeignKeyChecksOff():
        with _IndexesDropped(r_table):
            n_reports = insert_rows(r_table, r_cols, report_rows())
        with _IndexesDropped(v_table):
            n_values = insert_rows(
                v_table,
                ("id", "report_id", "indicator_id", "number", "text", "units"),
                value_rows(),
            )
        # accepted once their figures are in: the lock forbids figures of accepted reports
        Report.objects.filter(round=rnd).exclude(unit_id=tree.root).update(state="accepted")
        _reset_sequences(Report, Value)
    with step("counters"), transaction.atomic():
        counts.rebuild(rnd)
    with step("analyze"):
        analyze()
    _log(f"{tree.size:,} units, {n_reports:,} reports, {n_values:,} values on {connection.vendor}")
    return NationalReports(
        round_id=rnd.pk,
        root_id=tree.root,
        root_report_id=1,
        reports=n_reports,
        values=n_values,
        timings=timings,
    )


def consolidate_figure(nat: NationalReports, *, runs: int = RUNS) -> dict[str, float]:
    from trienkhai.reports.consolidation import consolidate
    from trienkhai.reports.models import Indicator, Round

    rnd = Round.objects.get(pk=nat.round_id)
    indicators = list(Indicator.objects.filter(version_id=rnd.version_id))
    timings = []
    for _i in range(runs):
        start = time.perf_counter()
        figures = consolidate(rnd, nat.root_id, indicators)
        timings.append(time.perf_counter() - start)
    covered = {f.indicator.code: f.units for f in figures.values()}
    assert covered["S01"] == nat.reports - 1, covered["S01"]
    assert all(f.value is not None for f in figures.values())
    _log(
        f"consolidation of {nat.reports - 1:,} reports × {len(indicators)} indicators: "
        + ", ".join(f"{t:.2f}s" for t in timings)
        + f" on {connection.vendor}"
    )
    return {"consolidate_60k_units_s": round(statistics.median(timings), 2)}


def completeness_figure(nat: NationalReports) -> dict[str, float]:
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from bench.tasks_bench import _STATIC, _leader

    client = Client()
    login_verified(client, _leader())
    url = reverse("reports:round", args=[nat.round_id]) + f"?unit={nat.root_id}"
    with override_settings(STORAGES=_STATIC, SECURE_SSL_REDIRECT=False):
        ms, queries = page_p95_ms(client, url)
    _log(f"completeness page of the root: {queries} queries")
    return {"completeness_root_ms": round(ms, 1)}


def bench_reports() -> Iterator[tuple[str, float]]:
    nat = build_reports()
    _log(f"reports setup on {connection.vendor}: {sum(nat.timings.values()):.1f}s")
    failed = []
    for name, measure in (
        ("consolidate", consolidate_figure),
        ("completeness", completeness_figure),
    ):
        try:
            yield from measure(nat).items()
        except Exception as exc:  # one broken figure must not hide the other
            failed.append(name)
            _log(f"figure {name} failed on {connection.vendor}: {exc!r}")
    if failed:
        raise RuntimeError(f"reports figures failed: {', '.join(failed)}")

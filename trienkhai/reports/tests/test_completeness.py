"""Completeness and timeliness per subtree: expected, submitted, on time, late, missing."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.reports.consolidation import completeness, reporters_tally, sort_rows
from trienkhai.reports.models import Report
from trienkhai.reports.services import report_return, report_waive
from trienkhai.reports.testing import DEADLINE, at
from trienkhai.reports.tests.conftest import accept, send
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create, unit_merge

pytestmark = pytest.mark.django_db


def _rows(c) -> dict[str, tuple]:
    return {
        r.unit.name: (r.tally.expected, r.tally.submitted, r.tally.on_time, r.tally.missing)
        for r in c.rows
    }


def test_the_city_s_subtree_and_each_child_s(world, rep):
    send(rep.cell, rep.cell_officer)
    c = completeness(rep.round, world.city)
    t = c.tally
    assert (t.expected, t.submitted, t.on_time, t.pending, t.missing) == (4, 1, 1, 3, 0)
    assert t.reporting_rate == 25.0
    assert _rows(c) == {
        world.city.name: (1, 0, 0, 0),
        world.ben_thanh.name: (2, 1, 1, 0),
        world.tan_dinh.name: (1, 0, 0, 0),
    }
    assert [r.own for r in sort_rows(c.rows, "name")] == [True, False, False]


def test_after_the_deadline_the_unsent_are_missing_and_late_ones_counted(world, rep):
    send(rep.cell, rep.cell_officer)  # on time
    with at(DEADLINE + dt.timedelta(days=3)):
        send(rep.td, world.other_ward_officer)  # late
        report_return(report=Report.objects.get(pk=rep.td.pk), by=world.city_leader, comment="Sửa")
        c = completeness(rep.round, world.city, today=DEADLINE + dt.timedelta(days=3))
    t = c.tally
    assert (t.expected, t.submitted, t.on_time, t.late, t.missing, t.returned) == (4, 1, 1, 0, 3, 1)
    with at(DEADLINE + dt.timedelta(days=4)):
        send(Report.objects.get(pk=rep.td.pk), world.other_ward_officer)
    t = completeness(rep.round, world.city, today=DEADLINE + dt.timedelta(days=4)).tally
    # Tân Định first sent after the deadline: late, even if accepted later
    assert (t.submitted, t.on_time, t.late, t.missing) == (2, 1, 1, 2)


def test_a_ward_sees_its_own_subtree(world, rep):
    accept(send(rep.cell, rep.cell_officer), world.ward_officer)
    c = completeness(rep.round, world.ben_thanh)
    assert (c.tally.expected, c.tally.accepted) == (2, 1)
    assert _rows(c) == {world.ben_thanh.name: (1, 0, 0, 0), world.ben_thanh_cell.name: (1, 1, 1, 0)}


def test_waived_reports_are_not_expected(world, rep):
    report_waive(report=rep.td, by=world.city_leader, reason="Không phát sinh")
    t = completeness(rep.round, world.city).tally
    assert (t.expected, t.waived) == (3, 1)
    assert reporters_tally(rep.round, world.city.pk).expected == 1


def test_rates_never_exceed_100_percent_when_units_merge_and_appear(world, rep):
    for r in (rep.cell, rep.td):
        send(r, rep.cell_officer if r == rep.cell else world.other_ward_officer)
    new = unit_merge(
        sources=[world.ben_thanh, world.tan_dinh],
        name="Đảng ủy phường Sài Gòn",
        kind=Unit.Kind.PARTY_COMMITTEE,
        on=dt.date(2020, 12, 1),
    )
    unit_create(parent=new, name="Chi bộ khu phố 9", kind=Unit.Kind.GRASSROOTS)
    send(Report.objects.get(round=rep.round, unit=new), None)
    for unit in (world.city, new):
        t = completeness(rep.round, unit).tally
        assert t.submitted <= t.expected and t.on_time <= t.expected
        assert t.reporting_rate is None or t.reporting_rate <= 100
    t = completeness(rep.round, world.city).tally
    # the City, the new ward, the cell (moved under it), the new cell and Tân Định's report
    # (submitted before the merger, it stays); Bến Thành's draft is superseded
    assert (t.expected, t.submitted) == (5, 3)
    assert Report.objects.get(pk=rep.bt.pk).superseded_by is not None


def test_units_sort_by_name_as_vietnamese_readers_look_them_up():
    from trienkhai.reports.consolidation import CompletenessRow, Tally
    from trienkhai.units.models import Unit

    names = ["Đảng ủy phường Bình Tây", "Đảng ủy phường Bảy Hiền", "Đảng ủy phường Bình Đông"]
    names += ["Đảng ủy phường An Phú Đông", "Đảng ủy phường An Đông", "Đảng ủy phường Bà Rịa"]
    rows = [CompletenessRow(Unit(pk=i + 1, name=n), Tally()) for i, n in enumerate(names)]
    assert [r.unit.name.removeprefix("Đảng ủy phường ") for r in sort_rows(rows, "name")] == [
        "An Đông",
        "An Phú Đông",
        "Bà Rịa",
        "Bảy Hiền",
        "Bình Đông",
        "Bình Tây",
    ]

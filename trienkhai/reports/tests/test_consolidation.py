"""A receiver's report opens from its accepted reporters — every unit counted once."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.reports.consolidation import consolidate, excerpts, source_values
from trienkhai.reports.models import Indicator, Report, Value
from trienkhai.reports.services import report_save, report_submit, report_waive
from trienkhai.reports.tests.conftest import accept, fill, send
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create, unit_dissolve, unit_merge

pytestmark = pytest.mark.django_db


def _by_code(figures) -> dict[str, float | None]:
    return {f.indicator.code: f.value for f in figures.values()}


def _settle_ward(world, rep, **bt_figures):
    """The cell and Bến Thành accepted: Bến Thành's figures include the cell's."""
    accept(
        send(rep.cell, rep.cell_officer, HN=2, DV=40, TL=50, KH="có", DG="8", CAO=60),
        world.ward_officer,
    )
    return accept(send(rep.bt, world.ward_officer, **bt_figures), world.city_leader)


def test_each_aggregation_adds_up_the_accepted_sources(world, rep):
    accept(
        send(rep.cell, rep.cell_officer, HN=2, DV=40, TL=50, KH="có", DG="8", CAO=60),
        world.ward_officer,
    )
    figures = _by_code(consolidate(rep.round, world.ben_thanh.pk))
    assert figures == {"HN": 2, "DV": 40, "TL": 50, "KH": 1, "DG": 8, "CAO": 60, "GC": None}


def test_the_city_counts_the_ward_s_figure_and_never_the_cell_again(world, rep):
    # Bến Thành's figures already include its cell (2 conferences of its 5, 40 of its 1,000
    # members, one "yes" of its 2)
    _settle_ward(world, rep, HN=5, DV=1000, TL=80, KH=2, DG="6,5", CAO=120)
    accept(
        send(rep.td, world.other_ward_officer, HN=3, DV=500, TL=20, KH="không", DG=9, CAO=90),
        world.city_leader,
    )
    city = consolidate(rep.round, world.city.pk)
    values = _by_code(city)
    assert values["HN"] == 8  # 5 + 3: the cell's 2 are inside Bến Thành's 5
    assert values["DV"] == 1500
    assert values["TL"] == pytest.approx((80 * 1000 + 20 * 500) / 1500)
    assert values["KH"] == 2  # two units said yes: the cell (via Bến Thành) and Bến Thành
    assert values["CAO"] == 120
    # an average of averages is weighted by the units each figure covers: Bến Thành's 6,5
    # stands for 2 units (itself and its cell), Tân Định's 9 for one
    assert values["DG"] == pytest.approx((6.5 * 2 + 9) / 3)
    assert city[Indicator.objects.get(version=rep.round.version, code="DG").pk].units == 3
    hn = {f.indicator.code: f for f in city.values()}["HN"]
    assert (hn.reports, hn.units) == (2, 3)  # two reports, three units: the cell is inside


def test_only_accepted_reports_count(world, rep):
    send(rep.td, world.other_ward_officer, HN=3)
    assert _by_code(consolidate(rep.round, world.city.pk))["HN"] is None
    accept(rep.td, world.city_leader)
    assert _by_code(consolidate(rep.round, world.city.pk))["HN"] == 3


def test_the_city_s_report_opens_prefilled_and_keeps_the_sources(world, rep):
    from trienkhai.reports.views import edit_initial

    _settle_ward(world, rep, HN=5, DV=1000)
    accept(send(rep.td, world.other_ward_officer, HN=3, DV=500), world.city_leader)
    initial = edit_initial(Report.objects.get(pk=rep.city.pk))
    assert initial["figure-HN"] == "8" and initial["figure-DV"] == "1.500"
    hn = Indicator.objects.get(version=rep.round.version, code="HN")
    traced = [(v.report.unit.name, v.number) for v in source_values(rep.round, world.city.pk, hn)]
    assert traced == [(world.ben_thanh.name, 5), (world.tan_dinh.name, 3)]


def test_the_narrative_of_accepted_reporters_is_listed_under_each_section(world, rep):
    report_save(
        report=rep.td,
        by=world.other_ward_officer,
        figures={"HN": 1},
        narrative={"results": "Tổ chức 1 hội nghị", "lessons": ""},
    )
    accept(report_submit(report=rep.td, by=world.other_ward_officer), world.city_leader)
    got = excerpts(rep.round, world.city.pk)
    assert got == {"results": [(world.tan_dinh.name, rep.td.pk, "Tổ chức 1 hội nghị")]}


def test_a_consolidated_save_records_how_many_units_a_figure_covers(world, rep):
    accept(send(rep.cell, rep.cell_officer, DG=8), world.ward_officer)
    saved = fill(rep.bt, world.ward_officer, DG=7, HN=4)
    dg = Value.objects.get(report=saved, indicator__code="DG")
    assert dg.units == 2  # the ward's own score speaks for the ward and its cell
    fill(rep.td, world.other_ward_officer, DG=5)
    assert Value.objects.get(report=rep.td, indicator__code="DG").units == 1


def test_a_merger_mid_round_never_counts_a_unit_twice(world, rep):
    # Tân Định merges into Bến Thành while its report is still a draft: its report is
    # superseded by Bến Thành's, which now speaks for both.
    fill(rep.td, world.other_ward_officer, HN=3)
    unit_merge(sources=[world.tan_dinh], into=world.ben_thanh, on=dt.date(2020, 12, 1))
    td = Report.objects.get(pk=rep.td.pk)
    assert td.superseded_by_id == rep.bt.pk
    _settle_ward(world, rep, HN=6, DV=1500)
    assert _by_code(consolidate(rep.round, world.city.pk))["HN"] == 6


def test_units_merged_into_a_new_one_leave_one_report_each_counted_once(world, rep):
    send(rep.td, world.other_ward_officer, HN=3)  # submitted before the merger: it stays
    new = unit_merge(
        sources=[world.ben_thanh, world.tan_dinh],
        name="Đảng ủy phường Bến Thành mới",
        kind=Unit.Kind.PARTY_COMMITTEE,
        on=dt.date(2020, 12, 1),
    )
    bt = Report.objects.get(pk=rep.bt.pk)
    mine = Report.objects.get(round=rep.round, unit=new)
    assert bt.superseded_by_id == mine.pk  # the new unit matched the rule: its own report
    cell = Report.objects.get(pk=rep.cell.pk)
    assert cell.receiver == new and cell.unit_path.startswith(new.path)
    counted = Report.objects.filter(round=rep.round).counted()
    assert sorted(counted.values_list("unit__name", flat=True)) == sorted(
        [world.city.name, new.name, world.tan_dinh.name, world.ben_thanh_cell.name]
    )


def test_a_unit_dissolved_without_successor_is_no_longer_expected(world, rep):
    unit_dissolve(unit=world.ben_thanh_cell, on=dt.date(2020, 12, 1))
    cell = Report.objects.get(pk=rep.cell.pk)
    assert cell.state == Report.State.WAIVED and "giải thể" in cell.comment


def test_waived_reporters_add_nothing(world, rep):
    fill(rep.cell, rep.cell_officer, HN=9)
    report_waive(report=rep.cell, by=world.ward_officer, reason="Không phát sinh")
    assert _by_code(consolidate(rep.round, world.ben_thanh.pk))["HN"] is None


def test_new_unit_under_the_ward_reports_to_it(world, rep):
    cell2 = unit_create(parent=world.ben_thanh, name="Chi bộ khu phố 2", kind=Unit.Kind.GRASSROOTS)
    assert Report.objects.get(round=rep.round, unit=cell2).receiver == world.ben_thanh

"""A round gives one report per reporting unit, and one per receiver up to its owner."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.core.errors import DomainError
from trienkhai.reports.models import Report, Round
from trienkhai.reports.services import (
    IndicatorData,
    SectionData,
    form_save,
    report_set_receiver,
    round_create,
)
from trienkhai.reports.testing import DEADLINE, build_form
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

pytestmark = pytest.mark.django_db


def _receivers(rnd) -> dict[str, str | None]:
    return {
        r.unit.name: (r.receiver.name if r.receiver_id else None)
        for r in rnd.reports.select_related("unit", "receiver")
    }


def test_each_unit_reports_to_its_parent_and_the_owner_reports_outside(world, rep):
    assert _receivers(rep.round) == {
        world.city.name: None,
        world.ben_thanh.name: world.city.name,
        world.tan_dinh.name: world.city.name,
        world.ben_thanh_cell.name: world.ben_thanh.name,
    }
    assert rep.round.period_label == "2020"
    assert rep.round.period_start == dt.date(2019, 12, 15)
    assert rep.round.period_end == dt.date(2020, 12, 14)
    assert rep.round.deadline == DEADLINE  # 5 working days after the cut-off
    assert rep.round.version == rep.form.latest_version()
    assert all(r.state == Report.State.DRAFT for r in rep.round.reports.all())


def test_receivers_between_a_unit_and_the_owner_get_a_report_too(world, clock):
    # only the cell reports: Bến Thành, between it and the City, consolidates it
    form = build_form(world)
    rnd, created = round_create(
        form=form,
        owner=world.city,
        by=world.city_leader,
        title="Chi bộ báo cáo",
        period_kind="quarterly",
        year=2020,
        number=4,
        deadline=dt.date(2020, 12, 20),
        target_mode="rule",
        kinds=[Unit.Kind.GRASSROOTS],
    )
    assert created == 3
    assert _receivers(rnd) == {
        world.city.name: None,
        world.ben_thanh.name: world.city.name,
        world.ben_thanh_cell.name: world.ben_thanh.name,
    }
    assert (rnd.period_start, rnd.period_end) == (dt.date(2020, 9, 15), dt.date(2020, 12, 14))


def test_a_chosen_receiver_gathers_the_reports_of_people_s_committees(world, clock):
    ward_pc = unit_create(
        parent=world.ben_thanh, name="UBND phường Bến Thành", kind=Unit.Kind.PEOPLES_COMMITTEE
    )
    rnd, created = round_create(
        form=build_form(world),
        owner=world.city,
        by=world.city_leader,
        title="UBND phường báo cáo UBND Thành phố",
        period_kind="annual",
        year=2020,
        deadline=dt.date(2020, 12, 20),
        target_mode="rule",
        kinds=[Unit.Kind.PEOPLES_COMMITTEE],
        depth=2,
        receiver_mode="unit",
        receiver_unit=world.city_pc,
    )
    assert _receivers(rnd) == {
        world.city.name: None,
        world.city_pc.name: world.city.name,
        ward_pc.name: world.city_pc.name,
    }


def test_the_receiver_of_one_unit_can_be_changed_but_never_into_a_cycle(world, rep):
    report_set_receiver(report=rep.cell, receiver=world.tan_dinh, by=world.city_leader)
    rep.cell.refresh_from_db()
    assert rep.cell.receiver == world.tan_dinh
    with pytest.raises(DomainError) as err:
        report_set_receiver(report=rep.td, receiver=world.ben_thanh_cell, by=world.city_leader)
    assert err.value.code == "cycle"
    with pytest.raises(DomainError) as err:
        report_set_receiver(report=rep.td, receiver=world.city_pc, by=world.city_leader)
    assert err.value.code == "not_in_round"
    with pytest.raises(DomainError) as err:  # only the round's owner routes reports
        report_set_receiver(report=rep.cell, receiver=world.city, by=world.ward_officer)
    assert err.value.code == "forbidden"


def test_a_round_keeps_the_version_it_started_with(world, rep):
    v1 = rep.round.version
    form_save(
        form=rep.form,
        by=world.city_leader,
        name=rep.form.name,
        sections=[SectionData("results", "Kết quả")],
        indicators=[IndicatorData("HN", "Số hội nghị (đã sửa)")],
        note="Bỏ bớt chỉ tiêu",
    )
    rep.round.refresh_from_db()
    assert rep.round.version == v1
    assert v1.indicators.count() == 7 and v1.sections.count() == 5
    v2 = rep.form.latest_version()
    assert v2.number == 2 and v2.indicators.get().name == "Số hội nghị (đã sửa)"
    # a version no round uses yet is edited in place
    form_save(
        form=rep.form,
        by=world.city_leader,
        name=rep.form.name,
        sections=[SectionData("results", "Kết quả")],
        indicators=[IndicatorData("HN", "Số hội nghị")],
    )
    assert rep.form.versions.count() == 2


def test_new_units_matching_an_open_round_get_their_report(world, rep):
    cell2 = unit_create(parent=world.tan_dinh, name="Chi bộ khu phố 2", kind=Unit.Kind.GRASSROOTS)
    r = Report.objects.get(round=rep.round, unit=cell2)
    assert r.receiver == world.tan_dinh and r.unit_path == cell2.path


def test_a_round_refuses_units_outside_its_owner_and_nobody(world, clock):
    form = build_form(world)
    common = {
        "form": form,
        "title": "Thử",
        "period_kind": "annual",
        "year": 2020,
        "deadline": dt.date(2020, 12, 20),
    }
    with pytest.raises(DomainError) as err:
        round_create(
            owner=world.ben_thanh,
            by=world.ward_officer,
            target_mode="units",
            units=[world.tan_dinh],
            **common,
        )
    assert err.value.code == "outside"
    with pytest.raises(DomainError) as err:
        round_create(
            owner=world.ben_thanh,
            by=world.ward_officer,
            target_mode="rule",
            kinds=[Unit.Kind.DEPARTMENT],
            **common,
        )
    assert err.value.code == "no_match"
    assert not Round.objects.exists()
    with pytest.raises(DomainError) as err:  # nobody acts for another unit
        round_create(owner=world.city, by=world.ward_officer, target_mode="rule", **common)
    assert err.value.code == "forbidden"

"""The subtle rules of coverage: the cap, the roll-up, counters that never drift."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.core.errors import DomainError
from trienkhai.outreach import rollup
from trienkhai.outreach.models import StudySession, UnitHeadcount
from trienkhai.outreach.selectors import coverage, timeline, units_without_session
from trienkhai.outreach.services import (
    outreach_record,
    session_delete,
    session_update,
)
from trienkhai.outreach.testing import build_study, record
from trienkhai.tasks.testing import TODAY
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create, unit_dissolve, unit_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(world):
    return build_study(world)


def test_a_units_coverage_is_capped_at_its_headcount(world, study):
    record(study.study_bt, party_members=800)
    record(study.study_bt, party_members=700, day=dt.date(2020, 8, 1))
    bt = coverage(world.ben_thanh, study.topic)
    own = bt.own().counts  # Bến Thành itself, without its party cell
    assert own.attended["party_members"] == 1500  # attendance is what the sessions say
    assert own.covered["party_members"] == 1200  # people covered never exceed the headcount
    assert own.percent("party_members") == 100.0
    assert own.percent("cadres") == 0.0
    assert bt.counts.percent("party_members") == round(100 * 1200 / 1240, 1)
    assert rollup.check() == []


def test_the_cap_is_per_unit_and_the_subtree_adds_up(world, study):
    record(study.study_bt, party_members=1500 - 300, cadres=80)  # 1,200: full
    record(study.study_bt, party_members=900)  # beyond the cap: adds nothing
    record(study.study_cell, party_members=30)
    record(study.study_td, party_members=150, reason="Chờ tài liệu")
    city = coverage(world.city, study.topic)
    c = city.counts
    assert c.headcount["party_members"] == 1200 + 40 + 600
    assert c.covered["party_members"] == 1200 + 30 + 150
    # the cell's over-full parent does not fill the cell, nor Tân Định
    assert c.percent("party_members") == round(100 * 1380 / 1840, 1)
    rows = {r.unit.pk: r.counts for r in city.children}
    assert rows[world.ben_thanh.pk].covered["party_members"] == 1230
    assert rows[world.tan_dinh.pk].covered["party_members"] == 150
    assert sum(r.covered["party_members"] for r in rows.values()) == c.covered["party_members"]
    assert c.percent() == round(100 * (1380 + 80) / (1840 + 80 + 30 + 500 + 900), 1)
    assert rollup.check() == []


def test_no_rate_ever_exceeds_a_hundred_percent(world, study):
    for _ in range(5):
        record(study.study_bt, cadres=80, party_members=1200, union_members=500)
    c = coverage(world.city, study.topic).counts
    for group in ("cadres", "party_members", "union_members", "association_members"):
        assert (c.percent(group) or 0) <= 100
    assert c.attended["cadres"] == 400


def test_the_public_is_a_plain_sum(world, study):
    record(study.study_bt, party_members=10, public=300)
    record(study.study_bt, public=450)
    c = coverage(world.city, study.topic).counts
    assert c.attended["public"] == 750
    assert c.people_covered == 10


def test_units_with_people_and_no_session_are_listed(world, study):
    assert coverage(world.city, study.topic).counts.without == 3  # BT, its cell, TĐ
    record(study.study_bt, party_members=10)
    c = coverage(world.city, study.topic).counts
    assert (c.units, c.held, c.without) == (3, 1, 2)
    listed = list(units_without_session(world.city, study.topic))
    assert listed == [world.ben_thanh_cell, world.tan_dinh]
    assert len(listed) == c.without


def test_coverage_over_time_is_a_running_sum_of_what_the_cap_lets_through(world, study):
    record(study.study_bt, party_members=800, day=dt.date(2020, 6, 20))
    record(study.study_bt, party_members=700, day=dt.date(2020, 8, 3))
    months = {m["month"]: m for m in timeline(world.city, study.topic, today=TODAY)}
    assert months[dt.date(2020, 6, 1)]["covered"]["party_members"] == 800
    assert months[dt.date(2020, 7, 1)]["covered"]["party_members"] == 800
    assert months[dt.date(2020, 8, 1)]["covered"]["party_members"] == 1200  # not 1,500
    assert months[dt.date(2020, 8, 1)]["sessions"] == 1
    # an earlier session recorded later moves the cap's cut to the later month
    record(study.study_bt, party_members=600, day=dt.date(2020, 5, 5))
    months = {m["month"]: m for m in timeline(world.city, study.topic, today=TODAY)}
    assert months[dt.date(2020, 5, 1)]["covered"]["party_members"] == 600
    assert months[dt.date(2020, 6, 1)]["covered"]["party_members"] == 1200
    assert months[dt.date(2020, 8, 1)]["covered"]["party_members"] == 1200
    assert rollup.check() == []


def test_counters_never_drift_through_edits_deletes_headcounts_and_the_tree(world, study):
    s1 = record(study.study_bt, party_members=700, cadres=50)
    s2 = record(study.study_cell, party_members=40, day=dt.date(2020, 6, 2))
    record(study.study_td, party_members=600, reason="Chờ tài liệu")
    assert rollup.check() == []
    session_update(
        session=s1,
        by=None,
        documents=list(s1.documents.all()),
        attendance={"party_members": 1100, "cadres": 20},
        held_on=dt.date(2020, 4, 1),
        form="online",
        location="",
        presenter="",
        minutes="Sửa số liệu",
        today=TODAY,
    )
    assert rollup.check() == []
    session_delete(session=s2, by=None, reason="Nhập trùng")
    assert rollup.check() == []
    # a headcount edit below the attendance lowers the covered people at once
    unit_update(unit=world.ben_thanh, party_members=900)
    assert coverage(world.city, study.topic).counts.covered["party_members"] == 900 + 600
    assert rollup.check() == []
    # a new unit with people counts as one without a session
    ward = unit_create(
        parent=world.city, name="Đảng ủy phường Đa Kao", kind="party_committee", cadres=12
    )
    assert coverage(world.city, study.topic).counts.without == 2  # the cell and Đa Kao
    assert rollup.check() == []
    # a dissolved unit drops out; its people are its successor's now
    unit_dissolve(unit=world.tan_dinh, on=dt.date(2025, 7, 1), successor=ward)
    c = coverage(world.city, study.topic).counts
    assert c.headcount["party_members"] == 900 + 40
    assert c.covered["party_members"] == 900
    assert StudySession.objects.filter(unit=world.tan_dinh).count() == 1  # still on record
    assert rollup.check() == []
    outreach_record(
        unit=world.ben_thanh,
        by=None,
        kind="article",
        title="Bài viết về Nghị quyết 52",
        held_on=dt.date(2020, 7, 1),
        audience=5000,
        today=TODAY,
    )
    assert rollup.check() == []


def test_a_moved_unit_takes_its_figures_along(world, study):
    record(study.study_cell, party_members=35)
    world.ben_thanh_cell.refresh_from_db()
    Unit.objects.move(
        world.ben_thanh_cell, Unit.objects.get(pk=world.tan_dinh.pk), pos="last-child"
    )
    from trienkhai.units.signals import tree_changed

    tree_changed.send(sender=Unit, created=[], ended=[], scope=world.city)
    rows = {r.unit.pk: r.counts for r in coverage(world.city, study.topic).children}
    assert rows[world.tan_dinh.pk].covered["party_members"] == 35
    assert rows[world.ben_thanh.pk].covered["party_members"] == 0
    assert rollup.check() == []


def test_a_change_that_bypasses_save_is_found_and_fixed(world, study):
    record(study.study_bt, party_members=1000)
    Unit.objects.filter(pk=world.ben_thanh.pk).update(party_members=500)
    problems = rollup.check()
    assert any(f"unit {world.ben_thanh.pk}" in p for p in problems)
    rollup.rebuild()
    assert rollup.check() == []
    assert coverage(world.city, study.topic).counts.covered["party_members"] == 500


def test_a_rebuild_gives_the_same_counters(world, study):
    record(study.study_bt, party_members=1000, public=20)
    record(study.study_cell, party_members=12)
    outreach_record(
        unit=world.tan_dinh, by=None, kind="broadcast", title="Phát thanh", held_on=TODAY
    )
    before = coverage(world.city, study.topic).counts
    rollup.rebuild()
    assert coverage(world.city, study.topic).counts == before
    assert UnitHeadcount.objects.count() == Unit.objects.count()


def test_public_information_items_roll_up_by_kind(world, study):
    for kind in ("article", "article", "broadcast", "event", "other"):
        outreach_record(
            unit=world.ben_thanh_cell,
            by=None,
            kind=kind,
            title=f"Tuyên truyền {kind}",
            held_on=dt.date(2020, 7, 1),
            audience=100,
            today=TODAY,
        )
    c = coverage(world.city, study.topic).counts
    assert c.items == {"articles": 2, "broadcasts": 1, "events": 1, "other_items": 1}
    assert c.audience == 500
    rows = {r.unit.pk: r.counts for r in coverage(world.city, study.topic).children}
    assert rows[world.ben_thanh.pk].items_total == 5
    assert rows[world.tan_dinh.pk].items_total == 0


# --- validation --------------------------------------------------------------------------------


def test_attendance_above_the_headcount_is_refused_with_the_figures(world, study):
    with pytest.raises(DomainError) as err:
        record(study.study_bt, party_members=1250)
    assert err.value.field == "party_members"
    assert "1.250" in err.value.message and "1.200" in err.value.message
    assert "Bến Thành" in err.value.message
    assert StudySession.objects.count() == 0


def test_a_group_the_unit_has_not_declared_is_refused(world, study):
    with pytest.raises(DomainError) as err:
        record(study.study_td, union_members=5, reason="x")
    assert err.value.field == "union_members" and err.value.code == "no_headcount"


def test_a_date_in_the_future_is_refused(world, study):
    with pytest.raises(DomainError) as err:
        record(study.study_bt, party_members=5, day=TODAY + dt.timedelta(days=1))
    assert err.value.field == "held_on" and err.value.code == "future"
    assert "25/08/2020" in err.value.message


def test_a_document_the_unit_was_not_asked_to_study_is_refused(world, study):
    with pytest.raises(DomainError) as err:
        record(study.study_bt, party_members=5, documents=[study.cascade.chain.plan_td])
    assert err.value.field == "documents" and err.value.code == "not_asked"
    assert "15-KH/ĐU" in err.value.message and "52-NQ/TW" in err.value.message


def test_the_chain_of_documents_is_what_the_unit_was_asked_to_study(world, study):
    chain = study.cascade.chain
    for doc in (chain.letter, chain.hd116, chain.nq52):
        record(study.study_cell, party_members=1, documents=[doc])
    assert StudySession.objects.filter(unit=world.ben_thanh_cell).count() == 3


def test_nobody_attending_is_refused(world, study):
    with pytest.raises(DomainError) as err:
        record(study.study_bt)
    assert err.value.code == "required"


def test_another_units_assignment_cannot_be_used(world, study):
    with pytest.raises(DomainError):
        record(study.study_bt, by=world.other_ward_officer, party_members=5)
    with pytest.raises(DomainError) as err:
        record(study.cascade.plan_bt, party_members=5)
    assert err.value.field == "assignment"

"""Indicators fed from the cascade and the study records: exact figures, per subtree.

The study world (``outreach.testing.build_study``): party members Bến Thành 1,200, its cell
40, Tân Định 600, the City none of its own. Sessions on the topic "Tổ chức học tập, quán
triệt Nghị quyết 52-NQ/TW":

- Bến Thành: one session, 900 party members;
- its cell: one session, 10 party members;
- Tân Định: two sessions of 400 party members each — 800 attendances, but only 600 people:
  covered is capped at the headcount, so its rate is 100 %, not 133 %.

(``conftest.build_fed`` builds it, with a form that has every kind of fed indicator.)
"""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.core.errors import DomainError
from trienkhai.outreach.testing import record
from trienkhai.reports.feeds import fed_values, fed_values_many
from trienkhai.reports.models import Indicator, Report, Value
from trienkhai.reports.services import (
    IndicatorData,
    form_create,
    report_save,
    round_refresh_feeds,
)
from trienkhai.reports.testing import TODAY, at
from trienkhai.reports.tests.conftest import accept, send
from trienkhai.tasks.services import assignments_sweep

pytestmark = pytest.mark.django_db
Src = Indicator.Source


def figures(report: Report) -> dict[str, float | None]:
    indicators = list(report.round.version.indicators.all())
    by_id = {i.pk: i.code for i in indicators}
    return {by_id[k]: v for k, v in fed_values(report, indicators).items()}


def stored(report: Report) -> dict[str, float | None]:
    return dict(
        Value.objects.filter(report=report)
        .exclude(indicator__source="")
        .values_list("indicator__code", "number")
    )


def test_study_figures_cover_each_report_s_own_subtree(fed):
    rep, _study = fed
    assert figures(rep.cell) | {"KHX": None, "KHDH": None} == {
        "HNHT": 1,
        "DVHT": 1,
        "DVTG": 10,
        "TLDV": 25.0,  # 10 of 40
        "KHX": None,
        "KHDH": None,
    }
    bt = figures(rep.bt)
    assert (bt["HNHT"], bt["DVHT"], bt["DVTG"], bt["TLDV"]) == (2, 2, 910, 73.4)  # 910/1,240
    td = figures(rep.td)
    # 800 attendances, 600 people: capped, never above 100 %
    assert (td["HNHT"], td["DVHT"], td["DVTG"], td["TLDV"]) == (2, 1, 600, 100.0)
    city = figures(rep.city)
    # read from the City's own counters, not summed from its reporters: 1,510 of 1,840
    assert (city["HNHT"], city["DVHT"], city["DVTG"], city["TLDV"]) == (4, 3, 1510, 82.1)


def test_a_unit_without_party_members_has_no_percentage_rather_than_zero(world, fed):
    rep, _study = fed
    from trienkhai.units.services import unit_update

    unit_update(unit=world.ben_thanh_cell, party_members=0)
    # its session had 10 party members: coverage now counts it for nobody
    assert figures(rep.bt)["TLDV"] == 75.0  # 900 of 1,200
    many = fed_values_many([world.city_pc.pk], list(rep.round.version.indicators.all()))
    by_code = {i.pk: i.code for i in rep.round.version.indicators.all()}
    pc = {by_code[k]: v for k, v in many[world.city_pc.pk].items()}
    assert (pc["HNHT"], pc["DVTG"], pc["TLDV"], pc["KHDH"]) == (0, 0, None, None)


def test_a_dissolved_unit_leaves_the_figures_of_the_subtree(world, fed):
    rep, _study = fed
    from trienkhai.units.services import unit_dissolve

    with at(TODAY):
        unit_dissolve(unit=world.ben_thanh_cell, on=TODAY)
    bt = figures(rep.bt)
    assert (bt["HNHT"], bt["DVHT"], bt["DVTG"], bt["TLDV"]) == (1, 1, 900, 75.0)
    city = figures(rep.city)
    assert (city["DVTG"], city["TLDV"]) == (1500, 83.3)  # 1,500 of 1,800


def test_the_on_time_rate_reads_the_cascade_after_the_daily_sweep(fed):
    rep, _study = fed
    # the plan: Tân Định done on time; Bến Thành in progress, due 31/08 — past its deadline on
    # 10/12, but "overdue" only once the daily sweep has moved it
    assert (figures(rep.td)["KHX"], figures(rep.td)["KHDH"]) == (1, 100.0)
    assert (figures(rep.bt)["KHX"], figures(rep.bt)["KHDH"]) == (0, None)
    assert figures(rep.city)["KHDH"] == 100.0
    assignments_sweep(today=TODAY)
    assert figures(rep.bt)["KHDH"] == 0.0
    assert figures(rep.city)["KHDH"] == 50.0  # 1 on time of 2 done or overdue


def test_saving_writes_the_fed_figures_and_nobody_can_type_over_them(world, fed):
    rep, _study = fed
    report_save(report=rep.td, by=world.other_ward_officer, figures={"DVTG": 5, "HN": 2})
    assert stored(rep.td) == {
        "HNHT": 2,
        "DVHT": 1,
        "DVTG": 600,
        "TLDV": 100.0,
        "KHX": 1,
        "KHDH": 100.0,
    }


def test_the_refresh_moves_open_reports_only(world, fed):
    rep, study = fed
    accept(send(rep.cell, rep.cell_officer), world.ward_officer)
    send(rep.td, world.other_ward_officer)
    report_save(report=rep.bt, by=world.ward_officer, figures={"HN": 1})
    before = {r: stored(r) for r in (rep.cell, rep.td, rep.bt)}
    assert before[rep.cell]["DVTG"] == 10 and before[rep.bt]["DVTG"] == 910
    # more study since: the cell and Bến Thành hold another session
    record(study.study_cell, party_members=30, day=dt.date(2020, 11, 5), today=TODAY)
    record(study.study_bt, party_members=300, day=dt.date(2020, 11, 6), today=TODAY)
    assert round_refresh_feeds(round_=rep.round) == 2  # Bến Thành's draft and the City's
    assert stored(rep.cell) == before[rep.cell]  # accepted: locked
    assert stored(rep.td) == before[rep.td]  # submitted: as sent
    bt = stored(rep.bt)
    # Bến Thành: 1,200 in its own sessions and 40 (capped) in its cell's, of 1,240
    assert (bt["HNHT"], bt["DVTG"], bt["TLDV"]) == (4, 1240, 100.0)
    assert stored(rep.city)["DVTG"] == 1840
    assert round_refresh_feeds(round_=rep.round) == 0  # nothing moved since: nothing written
    assert Report.objects.get(pk=rep.cell.pk).state == Report.State.ACCEPTED


@pytest.mark.parametrize(
    ("source", "type_", "field", "task"),
    [
        (Src.STUDY_PARTY_PERCENT, "integer", "type", "study"),
        (Src.STUDY_SESSIONS, "percent", "type", "study"),
        (Src.STUDY_SESSIONS, "integer", "source_task", "plan"),
        (Src.STUDY_PARTY_MEMBERS, "integer", "source_task", "subtask"),
        (Src.TASK_ON_TIME_PERCENT, "integer", "type", "plan"),
    ],
)
def test_a_fed_indicator_must_suit_its_source(world, fed, source, type_, field, task):
    rep, study = fed
    tasks = {
        "study": study.topic,
        "plan": study.cascade.plan,
        "subtask": study.study_cell.task,
    }
    bad = IndicatorData(
        "X", "X", type=type_, aggregation="avg", source=source, source_task=tasks[task]
    )
    with pytest.raises(DomainError) as caught:
        form_create(owner=world.city, by=world.city_leader, name="Sai", indicators=[bad])
    assert list(caught.value.errors) == [f"indicators.0.{field}"]


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_form_sent_back_with_errors_still_shows_the_fed_figures(world, fed, login, action):
    from django.urls import reverse

    rep, _study = fed
    client = login(world.other_ward_officer)
    rep.td.refresh_from_db()
    response = client.post(
        reverse("reports:edit", args=[rep.td.pk]),
        {"version": str(rep.td.version), "action": action, "figure-HN": "hai"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form["figure-HN"].value() == "hai"  # what was typed
    assert (form["figure-DVTG"].value(), form["figure-HNHT"].value()) == ("600", "2")
    assert 'value="600"' in response.content.decode()

"""A form and an annual round on the test world, shared by the reports, API and browser tests.

Built on ``core.testing.build_world``:

    Thành ủy (owner) ─┬─ Bến Thành party committee ── Chi bộ khu phố 1
                      ├─ Tân Định party committee
                      └─ UBND TP (not a party committee: not in the round)

The round "every party committee and grassroots organization under the City, each to its
parent" gives four reports: the cell → Bến Thành → the City, Tân Định → the City, and the
City's own (consolidated, sent outside). The clock is 10/12/2020, before the 2020 deadline
(cut-off 14/12/2020, 5 working days later: 21/12/2020).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import time_machine

from trienkhai.accounts.models import User
from trienkhai.core.testing import World, make_user
from trienkhai.reports.models import Report, ReportForm, Round
from trienkhai.reports.services import IndicatorData, form_create, round_create
from trienkhai.units.models import Unit

TODAY = dt.date(2020, 12, 10)
DEADLINE = dt.date(2020, 12, 21)

INDICATORS = [
    IndicatorData(
        "HN",
        "Số hội nghị học tập, quán triệt Nghị quyết 52",
        unit_of_measure="hội nghị",
        min_value=Decimal(0),
        max_value=Decimal(50),
        required=True,
    ),
    IndicatorData("DV", "Số đảng viên", unit_of_measure="người", min_value=Decimal(0)),
    IndicatorData(
        "TL",
        "Tỷ lệ đảng viên tham gia học tập",
        type="percent",
        aggregation="weighted_avg",
        weight_code="DV",
        unit_of_measure="%",
    ),
    IndicatorData("KH", "Đã ban hành kế hoạch thực hiện", type="yes_no", aggregation="count_yes"),
    IndicatorData(
        "DG",
        "Điểm tự đánh giá",
        type="decimal",
        aggregation="avg",
        unit_of_measure="điểm",
        min_value=Decimal(0),
        max_value=Decimal(10),
    ),
    IndicatorData("CAO", "Số người tham gia cao nhất một hội nghị", aggregation="max"),
    IndicatorData("GC", "Ghi chú", type="text", aggregation="none"),
]


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0), tick=False)


def build_form(world: World) -> ReportForm:
    return form_create(
        owner=world.city,
        by=world.city_leader,
        name="Báo cáo kết quả thực hiện Nghị quyết 52-NQ/TW",
        code="BC-NQ52",
        indicators=INDICATORS,
    )


@dataclass
class Reporting:
    form: ReportForm
    round: Round
    city: Report
    bt: Report
    td: Report
    cell: Report
    cell_officer: object


def build_round(world: World, form: ReportForm | None = None, **overrides) -> Reporting:
    form = form or build_form(world)
    fields = {
        "title": "Báo cáo kết quả thực hiện Nghị quyết 52-NQ/TW năm 2020",
        "period_kind": Round.Period.ANNUAL,
        "year": 2020,
        "deadline_workdays": 5,
        "target_mode": Round.TargetMode.RULE,
        "kinds": [Unit.Kind.PARTY_COMMITTEE, Unit.Kind.GRASSROOTS],
        "place": "Thành phố Hồ Chí Minh",
    }
    fields.update(overrides)
    with at(TODAY):
        rnd, _n = round_create(form=form, owner=world.city, by=world.city_leader, **fields)
    reports = {r.unit_id: r for r in rnd.reports.all()}
    cell_officer = User.objects.filter(username="canbo.chibo1").first() or make_user(
        "canbo.chibo1", unit=world.ben_thanh_cell, full_name="Võ Thị Em"
    )
    return Reporting(
        form=form,
        round=rnd,
        city=reports[world.city.pk],
        bt=reports[world.ben_thanh.pk],
        td=reports[world.tan_dinh.pk],
        cell=reports[world.ben_thanh_cell.pk],
        cell_officer=cell_officer,
    )

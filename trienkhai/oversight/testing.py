"""Inspection and supervision on the test world (``core.testing.build_world``).

The City plans to inspect Bến Thành (01–15/09/2020) and Tân Định (01–15/10/2020); Bến Thành
plans to supervise its party cell (01–30/09/2020). The City visits Bến Thành on 05–06/09/2020
and recommends two things; the clock is 10/09/2020 unless a test moves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import time_machine

from trienkhai.core.testing import World
from trienkhai.oversight.models import Plan, Rating, Recommendation, Visit
from trienkhai.oversight.services import plan_create, visit_record

TODAY = dt.date(2020, 9, 10)


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0), tick=False)


@dataclass
class Oversight:
    plan: Plan
    ward_plan: Plan
    visit: Visit
    recs: list[Recommendation]


DEFAULT_RATINGS = [
    "Thực hiện tốt",
    "Thực hiện khá",
    "Thực hiện chưa tốt",
    "Có khuyết điểm, vi phạm",
]


def ensure_ratings() -> None:
    """The migration's default scale; transactional tests (the browser's) flush it away."""
    for rank, label in enumerate(DEFAULT_RATINGS, start=1):
        Rating.objects.get_or_create(rank=rank, defaults={"label": label})


def rating(rank: int = 2) -> Rating:
    return Rating.objects.get(rank=rank)


def build_oversight(world: World) -> Oversight:
    with at(dt.date(2020, 1, 15)):
        plan = plan_create(
            unit=world.city,
            by=world.city_leader,
            year=2020,
            kind=Plan.Kind.INSPECTION,
            title="Kiểm tra việc thực hiện Nghị quyết 52-NQ/TW năm 2020",
            targets=[
                (world.ben_thanh, dt.date(2020, 9, 1), dt.date(2020, 9, 15)),
                (world.tan_dinh, dt.date(2020, 10, 1), dt.date(2020, 10, 15)),
            ],
        )
        ward_plan = plan_create(
            unit=world.ben_thanh,
            by=world.ward_officer,
            year=2020,
            kind=Plan.Kind.SUPERVISION,
            title="Giám sát chi bộ khu phố năm 2020",
            targets=[(world.ben_thanh_cell, dt.date(2020, 9, 1), dt.date(2020, 9, 30))],
        )
    with at(TODAY):
        visit = visit_record(
            plan=plan,
            by=world.city_leader,
            unit=world.ben_thanh,
            starts_on=dt.date(2020, 9, 5),
            ends_on=dt.date(2020, 9, 6),
            team="Đồng chí Nguyễn Văn An (trưởng đoàn)\nĐồng chí Phạm Thị Dung",
            rating=rating(2),
            conclusion="Cơ bản thực hiện tốt",
            findings="Chưa xây dựng lộ trình cụ thể",
            recommendations=[
                ("Bổ sung lộ trình thực hiện Nghị quyết 52 trong kế hoạch", dt.date(2020, 10, 31)),
                ("Báo cáo kết quả học tập của các chi bộ", dt.date(2020, 11, 30)),
            ],
        )
    return Oversight(plan, ward_plan, visit, list(visit.recommendations.order_by("pk")))


def purge_oversight() -> None:
    """Delete every plan, visit and recommendation, as a test that rebuilds the world needs:
    they protect their units and follow-up tasks from deletion (children first)."""
    Recommendation.objects.all().delete()
    Visit.objects.all().delete()
    Plan.objects.all().delete()

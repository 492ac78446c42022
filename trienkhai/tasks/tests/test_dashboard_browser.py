"""The dashboard as a City leader meets it in Chromium: figures, drill-down in place, filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.utils.translation import gettext as _

from trienkhai.core.testing import browser_login as _login
from trienkhai.core.testing import build_world
from trienkhai.tasks.models import Target, Task
from trienkhai.tasks.services import assignment_complete, assignment_update, target_add, task_create
from trienkhai.tasks.testing import build_cascade
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARDS = [
    "Đảng ủy phường Sài Gòn",
    "Đảng ủy phường Cầu Ông Lãnh",
    "Đảng ủy phường Bàn Cờ",
    "Đảng ủy phường Xuân Hòa",
    "Đảng ủy phường Nhiêu Lộc",
    "Đảng ủy phường Chợ Quán",
    "Đảng ủy phường An Đông",
    "Đảng ủy phường Chợ Lớn",
    "Đảng ủy xã Bình Chánh",
    "Đảng ủy xã Cần Giờ",  # never updates anything
]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0), tick=False)


def _months_ago(n: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=30 * n)


@pytest.fixture
def seeded():
    """The test cascade plus a year of work by a dozen wards, relative to today."""
    world = build_world()
    build_cascade(world)
    wards = [unit_create(parent=world.city, name=n, kind=Unit.Kind.PARTY_COMMITTEE) for n in WARDS]
    everyone = [world.ben_thanh, world.tan_dinh, *wards]
    silent = wards[-1]
    plan = [
        ("Quán triệt chuyên đề chuyển đổi số", Task.Kind.STUDY, 9, (6, 3)),
        ("Kế hoạch ứng dụng công nghệ thông tin", Task.Kind.PLAN, 6, (8, 2)),
        ("Kiểm tra việc thực hiện Chỉ thị", Task.Kind.INSPECTION, 3, (5, 1)),
        ("Báo cáo sơ kết 6 tháng", Task.Kind.REPORT, -1, (3, 0)),
    ]
    for title, kind, months_ago, (on_time, late) in plan:
        due = _months_ago(months_ago)
        with _at(due - dt.timedelta(days=60)):
            task = task_create(
                issuer=world.city, by=None, title=title, kind=kind, due_date=due, is_starred=True
            )
            target_add(task=task, by=None, mode=Target.Mode.UNITS, units=everyone)
        assignments = [a for a in task.assignments.order_by("unit__path") if a.unit_id != silent.pk]
        for i, a in enumerate(assignments):
            if i < on_time:
                with _at(min(due - dt.timedelta(days=5), dt.date.today() - dt.timedelta(days=2))):
                    assignment_complete(assignment=a, by=None)
            elif i < on_time + late and due + dt.timedelta(days=10) < dt.date.today():
                with _at(due + dt.timedelta(days=10)):
                    assignment_complete(assignment=a, by=None, reason="Chờ ý kiến chỉ đạo")
            elif i % 2 == 0:
                with _at(min(due, dt.date.today()) - dt.timedelta(days=3)):
                    assignment_update(assignment=a, by=None, text="Đang triển khai", progress=50)
    return world


def test_a_city_leader_reads_the_dashboard_and_drills_down_in_place(page, live_server, seeded):
    _login(page, live_server, "lanhdao")
    page.goto(f"{live_server.url}/tasks/dashboard/")
    assert "Đảng bộ Thành phố Hồ Chí Minh" in page.locator("h1").inner_text()
    assert page.locator(".badge-stale").count() >= 1  # Cần Giờ never updated
    _shot(page, "dashboard-01-city")
    page.screenshot(
        path=str(ARTIFACTS / "dashboard-00-top.png"),
        clip={"x": 0, "y": 0, "width": 1280, "height": 760},
    )
    for section in ("units", "rankings", "overdue", "timeline"):
        page.locator(f"#{section}").screenshot(path=str(ARTIFACTS / f"dashboard-01-{section}.png"))
    page.locator(".dash-summary").screenshot(path=str(ARTIFACTS / "dashboard-01-summary.png"))

    before = page.get_by_text("Chi bộ khu phố 1").count()
    page.locator("tr.dash-row", has_text="Bến Thành").locator("summary").first.click()
    page.locator("tr.nested").get_by_text("Chi bộ khu phố 1").first.wait_for()
    assert page.get_by_text("Chi bộ khu phố 1").count() > before
    assert page.url.rstrip("/").endswith("/tasks/dashboard")
    page.locator("tr.nested").first.screenshot(path=str(ARTIFACTS / "dashboard-02-drill.png"))
    # folding the row again hides the nested units
    page.locator("tr.dash-row", has_text="Bến Thành").locator("summary").first.click()
    assert not page.locator("tr.nested").first.is_visible()

    page.get_by_label(_("Kind of task")).select_option("inspection")
    page.get_by_role("button", name=_("Apply")).click()
    page.wait_for_load_state()
    assert "kind=inspection" in page.url
    _shot(page, "dashboard-03-filtered")
    page.screenshot(
        path=str(ARTIFACTS / "dashboard-03-filtered-top.png"),
        clip={"x": 0, "y": 0, "width": 1280, "height": 760},
    )


def test_a_ward_officer_sees_only_her_ward(page, live_server, seeded):
    _login(page, live_server, "canbo.tandinh")
    page.goto(f"{live_server.url}/tasks/dashboard/")
    body = page.locator("main").inner_text()
    assert "Tân Định" in page.locator("h1").inner_text()
    assert "Bến Thành" not in body and "Sài Gòn" not in body
    _shot(page, "dashboard-04-ward")

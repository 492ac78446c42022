"""The cascade as a ward officer meets it, in Chromium: My work → update form → assignment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from trienkhai.core.testing import browser_login as _login
from trienkhai.core.testing import build_world
from trienkhai.tasks.services import target_add, task_create
from trienkhai.tasks.testing import build_cascade

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    cascade = build_cascade(world)
    # The shared cascade lives in 2020; a fresh task gives the officer work still in time.
    fresh = task_create(
        issuer=world.city,
        by=world.city_leader,
        title="Báo cáo sơ kết việc tuyên truyền Nghị quyết 52-NQ/TW",
        kind="report",
        source_document=cascade.chain.letter,
        due_date=dt.date.today() + dt.timedelta(days=20),
    )
    target_add(task=fresh, by=world.city_leader, mode="units", units=[world.ben_thanh])
    return world, cascade, fresh.assignments.get()


def test_the_ward_officer_reports_progress_from_my_work(page, live_server, seeded):
    world, cascade, fresh = seeded
    _login(page, live_server, "canbo.benthanh")

    page.goto(f"{live_server.url}{reverse('tasks:assignments')}")
    body = page.locator("main").inner_text()
    assert "Báo cáo sơ kết" in body and "Tổ chức học tập" in body
    assert "Tân Định" not in body
    _shot(page, "tasks-01-my-work")

    update_url = reverse("tasks:update", args=[fresh.pk])
    page.locator(f"main a[href='{update_url}']").click()
    page.wait_for_url(f"{live_server.url}{update_url}")
    _shot(page, "tasks-02-update-form")

    page.locator("#id_text").fill("Đã tổ chức 3 hội nghị tuyên truyền cho 240 đảng viên")
    page.locator("#id_progress").fill("50")
    page.locator("form.update-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{reverse('tasks:assignment', args=[fresh.pk])}")
    main = page.locator("main").inner_text()
    assert "Đã tổ chức 3 hội nghị tuyên truyền cho 240 đảng viên" in main
    assert "50%" in main
    _shot(page, "tasks-03-assignment")

    # An overdue assignment: the form says the reason is required, and keeps the text.
    page.goto(f"{live_server.url}{reverse('tasks:update', args=[cascade.plan_bt.pk])}")
    page.locator("#id_text").fill("Đã trình Ban Thường vụ dự thảo kế hoạch")
    page.locator("#id_progress").fill("80")
    page.locator("form.update-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_text").input_value() == "Đã trình Ban Thường vụ dự thảo kế hoạch"
    assert page.locator("[role=alert]").count() >= 1
    _shot(page, "tasks-04-update-needs-reason")


def test_the_cascade_pages_read_well(page, live_server, seeded):
    world, cascade, _fresh = seeded
    _login(page, live_server, "lanhdao")
    page.goto(f"{live_server.url}{reverse('tasks:list')}")
    assert "Xây dựng kế hoạch" in page.locator("main").inner_text()
    _shot(page, "tasks-05-list")

    page.goto(f"{live_server.url}{reverse('tasks:detail', args=[cascade.plan.pk])}")
    _shot(page, "tasks-06-detail")

    # The tree opens Bến Thành's breakdown in place.
    page.goto(f"{live_server.url}{reverse('tasks:tree', args=[cascade.plan.pk])}")
    page.locator("summary", has_text="Bến Thành").first.click()
    page.get_by_text("Chi bộ khu phố 1").first.wait_for()
    assert page.url.endswith(reverse("tasks:tree", args=[cascade.plan.pk]))
    _shot(page, "tasks-07-tree")

    page.goto(f"{live_server.url}{reverse('tasks:plans', args=[cascade.plan.pk])}")
    assert "15-KH/ĐU" in page.locator("main").inner_text()
    _shot(page, "tasks-08-plans")

    # Searching units to target finds the cell without accents, in place.
    page.goto(f"{live_server.url}{reverse('tasks:targets', args=[cascade.study.pk])}")
    page.locator("#id_unit_q").fill("chi bo khu pho")
    page.locator("#unit-matches").get_by_text("Chi bộ khu phố 1").wait_for()
    _shot(page, "tasks-09-targets")

    page.goto(f"{live_server.url}{reverse('tasks:create')}")
    _shot(page, "tasks-10-new-task")

    page.goto(f"{live_server.url}{reverse('tasks:program', args=[cascade.program.pk])}")
    _shot(page, "tasks-11-program")

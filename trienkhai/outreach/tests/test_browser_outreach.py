"""Recording a study session and an inspection visit, in Chromium, as the officials do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from trienkhai.core.testing import browser_login as _login
from trienkhai.core.testing import build_world
from trienkhai.outreach.models import StudySession
from trienkhai.outreach.testing import build_study
from trienkhai.oversight.models import Plan, Visit
from trienkhai.oversight.testing import ensure_ratings
from trienkhai.tasks.models import Task

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    ensure_ratings()
    return world, build_study(world)


def _logout(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def test_a_ward_officer_records_a_study_session(page, live_server, seeded):
    world, study = seeded
    today = dt.date.today()
    _login(page, live_server, "canbo.benthanh")
    page.get_by_role("link", name="Học tập").first.click()
    page.wait_for_url(f"**{reverse('outreach:coverage_unit', args=[world.ben_thanh.pk])}")
    page.get_by_role("link", name="Ghi nhận buổi học tập").click()
    page.wait_for_load_state()
    assert "1.200" in page.locator("main").inner_text()  # the unit's headcounts are shown

    nq52 = study.cascade.chain.nq52
    page.locator(f"input[name=documents][value='{nq52.pk}']").check()
    page.locator("#id_held_on").fill(today.strftime("%d/%m/%Y"))
    page.locator("#id_location").fill("Hội trường Đảng ủy phường")
    page.locator("#id_party_members").fill("1500")  # more than the ward's 1,200
    page.locator("form.session-form button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.locator("main").inner_text()
    assert "1.500" in alert and "1.200" in alert
    assert page.locator("#id_location").input_value() == "Hội trường Đảng ủy phường"
    _shot(page, "outreach-01-session-refused")

    page.locator(f"input[name=documents][value='{nq52.pk}']").check()
    page.locator("#id_party_members").fill("900")
    page.locator("#id_cadres").fill("60")
    page.locator("#id_public").fill("250")
    page.locator("form.session-form button[type=submit]").click()
    page.wait_for_url("**/outreach/sessions/*/")
    main = page.locator("main").inner_text()
    assert "900" in main and "52-NQ/TW" in main
    _shot(page, "outreach-02-session")
    session = StudySession.objects.get()
    assert session.created_by == world.ward_officer and session.party_members == 900

    page.goto(f"{live_server.url}{reverse('outreach:coverage_unit', args=[world.ben_thanh.pk])}")
    main = page.locator("main").inner_text()
    assert "không vượt quá" in main  # the cap is said on the page
    # party members: 900 of the 1,200 of Bến Thành itself, 900 of 1,240 with its cell
    assert "75\u00a0%" in main and "72,6\u00a0%" in main
    _shot(page, "outreach-03-coverage")


def test_the_city_plans_and_records_a_visit_and_the_ward_gets_the_follow_up(
    page, live_server, seeded
):
    world, _study = seeded
    today = dt.date.today()
    day = today.strftime("%d/%m/%Y")
    _login(page, live_server, "lanhdao")
    page.get_by_role("link", name="Kiểm tra, giám sát").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Lập kế hoạch").click()
    page.wait_for_load_state()
    page.locator("#id_year").fill(str(today.year))
    page.locator("#id_kind_0").check()
    page.locator("#id_title").fill(f"Kiểm tra việc thực hiện Nghị quyết 52 năm {today.year}")
    page.locator("#id_t0-unit").select_option(str(world.tan_dinh.pk))
    page.locator("#id_t0-starts_on").fill(day)
    page.locator("#id_t0-ends_on").fill(day)
    page.get_by_role("button", name="Lưu kế hoạch").click()
    page.wait_for_url("**/oversight/plans/*/")
    _shot(page, "oversight-01-plan")
    plan = Plan.objects.get()

    page.get_by_role("link", name="Ghi nhận kết quả").click()
    page.wait_for_load_state()
    assert page.locator("#id_unit").input_value() == str(world.tan_dinh.pk)
    page.locator("#id_team").fill("Đồng chí Nguyễn Văn An (trưởng đoàn)")
    page.locator("#id_rating_2").check()
    page.locator("#id_findings").fill("Chưa quán triệt đến đoàn viên, hội viên")
    page.locator("#id_r0-text").fill("Tổ chức quán triệt Nghị quyết 52 cho đoàn viên, hội viên")
    due = (today + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    page.locator("#id_r0-due_date").fill(due)
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_url("**/oversight/visits/*/")
    main = page.locator("main").inner_text()
    assert "Chưa khắc phục xong" in main and "Tổ chức quán triệt" in main
    _shot(page, "oversight-02-visit")
    visit = Visit.objects.get()
    assert visit.plan == plan and visit.planned is not None
    assert Task.objects.filter(kind="inspection", issuer=world.city).count() == 1

    # the team is corrected; the visit, which has a recommendation, cannot be deleted
    main = page.locator("main")
    main.get_by_role("link", name="Sửa", exact=True).click()
    page.wait_for_url("**/oversight/visits/*/edit/")
    page.locator("#id_team").fill("Đồng chí Nguyễn Văn An (trưởng đoàn)\nĐồng chí Phạm Thị Dung")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url("**/oversight/visits/*/")
    assert "Phạm Thị Dung" in page.locator("main").inner_text()
    main.get_by_role("link", name="Xóa", exact=True).click()
    page.wait_for_url("**/oversight/visits/*/delete/")
    assert "Không thể xóa" in page.locator("main").inner_text()
    _shot(page, "oversight-02b-visit-not-deleted")
    visit.refresh_from_db()
    assert visit.version == 2 and "Phạm Thị Dung" in visit.team

    # the ward meets the follow-up in its own work
    _logout(page)
    _login(page, live_server, "canbo.tandinh")
    page.goto(f"{live_server.url}{reverse('tasks:assignments')}")
    assert "Khắc phục sau" in page.locator("main").inner_text()
    _shot(page, "oversight-03-follow-up-in-my-work")

"""A report's life in Chromium: a ward officer fills and sends, the City returns it with a
comment, the officer fixes and sends again, the City accepts; the City's report opens
pre-filled with the ward's figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from trienkhai.core.testing import PASSWORD, build_world
from trienkhai.reports.models import Report
from trienkhai.reports.testing import build_round
from trienkhai.reports.tests.conftest import accept, send

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def seeded():
    world = build_world()
    rep = build_round(world)
    # the cell already reported to Bến Thành, which accepted it
    accept(send(rep.cell, rep.cell_officer, HN=2, DV=40, KH="có"), world.ward_officer)
    return world, rep


def _person(browser, live_server, username: str):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_ward_report_is_sent_returned_fixed_accepted_and_consolidated(
    browser, live_server, seeded
):
    world, rep = seeded
    officer = _person(browser, live_server, "canbo.benthanh")
    officer.goto(f"{live_server.url}{reverse('reports:inbox')}")
    _shot(officer, "reports-01-inbox")
    officer.locator(f"main a[href='{reverse('reports:edit', args=[rep.bt.pk])}']").click()
    officer.wait_for_url(f"**{reverse('reports:edit', args=[rep.bt.pk])}")
    # the ward's form opens with its cell's accepted figures
    assert officer.locator("#id_figure-HN").input_value() == "2"
    officer.locator("#id_figure-HN").fill("5")
    officer.locator("#id_figure-DV").fill("1.200,5")  # a typo: not a whole number
    officer.locator("#id_figure-TL").fill("92,5")
    officer.locator("#id_figure-KH").fill("2")
    officer.locator("#id_section-results").fill("Đã tổ chức 5 hội nghị quán triệt Nghị quyết 52.")
    officer.get_by_role("button", name="Lưu và gửi").click()
    officer.wait_for_load_state()
    assert "Hãy nhập số nguyên" in officer.locator("tr.has-error").inner_text()
    assert officer.locator("#id_figure-DV").input_value() == "1.200,5"  # kept as typed
    assert "5 hội nghị" in officer.locator("#id_section-results").input_value()
    _shot(officer, "reports-02-form-error")
    officer.locator("#id_figure-DV").fill("1.200")
    officer.get_by_role("button", name="Lưu và gửi").click()
    officer.wait_for_url(f"**{reverse('reports:report', args=[rep.bt.pk])}")
    assert "Chờ xem xét" in officer.locator("main").inner_text()
    _shot(officer, "reports-03-sent")

    city = _person(browser, live_server, "lanhdao")
    city.goto(f"{live_server.url}{reverse('reports:inbox')}#review")
    city.locator(f"main a[href='{reverse('reports:report', args=[rep.bt.pk])}#review']").click()
    city.locator("#id_comment").fill("Đề nghị bổ sung số đảng viên tham gia học tập.")
    _shot(city, "reports-04-review")
    city.get_by_role("button", name="Trả lại để sửa").click()
    city.wait_for_load_state()
    assert "Bị trả lại" in city.locator("main").inner_text()

    officer.goto(f"{live_server.url}{reverse('reports:report', args=[rep.bt.pk])}")
    assert "Đề nghị bổ sung số đảng viên" in officer.locator(".rp-returned").inner_text()
    _shot(officer, "reports-05-returned")
    officer.get_by_role("link", name="Sửa báo cáo").click()
    officer.locator("#id_figure-DV").fill("1.250")
    officer.get_by_role("button", name="Lưu và gửi").click()
    officer.wait_for_url(f"**{reverse('reports:report', args=[rep.bt.pk])}")

    city.goto(f"{live_server.url}{reverse('reports:report', args=[rep.bt.pk])}")
    city.get_by_role("button", name="Tiếp nhận").click()
    city.wait_for_load_state()
    assert "Đã tiếp nhận" in city.locator("main").inner_text()
    assert Report.objects.get(pk=rep.bt.pk).state == Report.State.ACCEPTED

    city.goto(f"{live_server.url}{reverse('reports:edit', args=[rep.city.pk])}")
    assert city.locator("#id_figure-HN").input_value() == "5"
    assert city.locator("#id_figure-DV").input_value() == "1.250"
    assert "từ 1 báo cáo" in city.locator("main").inner_text()
    _shot(city, "reports-06-city-prefilled")
    # where a figure comes from, in place (htmx), and the completeness of the City
    city.locator("a[hx-get]", has_text="từ 1 báo cáo").first.click()
    city.locator(".rp-sources").get_by_text(world.ben_thanh.name).wait_for()
    city.goto(f"{live_server.url}{reverse('reports:round', args=[rep.round.pk])}")
    city.locator("#completeness a", has_text=world.ben_thanh.name).click()
    city.locator("#completeness").get_by_text("Chi bộ khu phố 1").wait_for()
    _shot(city, "reports-07-completeness")

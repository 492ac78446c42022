"""New from text in Chromium, with the seed's letter: paste → check → confirm → the tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from trienkhai.core.testing import browser_login as _login
from trienkhai.core.testing import build_chain, build_world
from trienkhai.documents.models import Document
from trienkhai.intake.tests.helpers import SEED_TEXT
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PROGRAM = "xây dựng Chương trình hành động của Thành ủy"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    chain = build_chain(world)
    cadre = unit_create(
        parent=world.city,
        name="Ban cán sự đảng Ủy ban nhân dân Thành phố",
        short_name="BCS đảng UBND TP",
        kind=Unit.Kind.CADRE_COMMITTEE,
    )
    return world, chain, cadre


def _program_row(page):
    return page.locator("tbody.proposal", has=page.get_by_text("Ban cán sự đảng UBND TP")).first


def test_the_city_officer_turns_the_letter_into_tasks(page, live_server, seeded):
    world, chain, cadre = seeded
    _login(page, live_server, "lanhdao")
    page.locator("header nav").get_by_role("link", name="Tạo từ văn bản").click()
    page.wait_for_url(f"{live_server.url}/intake/")
    _shot(page, "intake-01-paste")

    page.get_by_label("Nội dung văn bản chỉ đạo").fill(SEED_TEXT)
    page.get_by_role("button", name="Đọc văn bản").click()
    page.get_by_role("heading", name="Kiểm tra và xác nhận").wait_for()

    # The warning about the 2014 date of a Politburo resolution of the XIIth term.
    warnings = page.locator(".intake-warnings").inner_text()
    assert "Khóa không khớp với ngày ban hành" in warnings
    assert "52-NQ/TW ngày 27/09/2014 không thuộc khóa XII." in warnings
    # The Action Program drafted by the People's Committee's party cadre committee, Q2 2020.
    row = _program_row(page)
    assert PROGRAM in row.get_by_label("Tên nhiệm vụ").input_value()
    assert row.get_by_label("Thời hạn như văn bản ghi").input_value() == "trong quý II năm 2020"
    assert row.get_by_label("Hạn hoàn thành").input_value() == "30/06/2020"
    assert row.get_by_label("Ban cán sự đảng Ủy ban nhân dân Thành phố (Thành ủy)").is_checked()
    # Highlighted in the text, and its number leads to the row.
    source = page.locator(".source-text")
    assert source.locator("mark.hl-deadline", has_text="trong quý II năm 2020").count() == 1
    assert source.locator("mark.hl-warning", has_text="52-NQ/TW").count() == 1
    assert Document.objects.count() == 6  # the chain only: nothing saved yet
    assert not Task.objects.exists()
    _shot(page, "intake-02-review")

    # The officer removes the first proposal and shortens the program's title.
    first = page.locator("tbody.proposal").first
    first.get_by_label("Giữ").uncheck()
    assert "removed" in (first.get_attribute("class") or "")
    row.get_by_label("Tên nhiệm vụ").fill(
        "Tham mưu xây dựng Chương trình hành động thực hiện Nghị quyết 52-NQ/TW"
    )
    page.get_by_role("button", name="Tạo văn bản và các nhiệm vụ đã chọn").click()
    page.wait_for_url(f"{live_server.url}/tasks/?document=*")
    main = page.locator("main").inner_text()
    assert "Đã đăng ký văn bản" in main
    assert "Tham mưu xây dựng Chương trình hành động thực hiện Nghị quyết 52-NQ/TW" in main
    assert "30/06/2020" in main
    assert "Tổ chức triển khai nghiên cứu, học tập" not in main
    _shot(page, "intake-03-created")

    task = Task.objects.get(title__startswith="Tham mưu xây dựng Chương trình hành động")
    assert task.source_document.issue_date.isoformat() == "2020-06-03"
    assert set(task.source_document.implements.all()) == {chain.nq52, chain.hd116}
    assert [a.unit for a in task.assignments.all()] == [cadre]


def test_the_page_works_without_javascript(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        _login(page, live_server, "canbo.benthanh")
        page.goto(f"{live_server.url}/intake/")
        page.get_by_label("Nội dung văn bản chỉ đạo").fill(SEED_TEXT)
        page.get_by_role("button", name="Đọc văn bản").click()
        page.get_by_role("heading", name="Kiểm tra và xác nhận").wait_for()
        # a wrong date: the whole review comes back with what was typed
        row = _program_row(page)
        row.get_by_label("Hạn hoàn thành").fill("31/02/2020")
        page.get_by_role("button", name="Tạo văn bản và các nhiệm vụ đã chọn").click()
        page.get_by_text("Chưa có gì được tạo").wait_for()
        row = _program_row(page)
        assert row.get_by_label("Hạn hoàn thành").input_value() == "31/02/2020"
        _shot(page, "intake-04-error")
        row.get_by_label("Hạn hoàn thành").fill("30/06/2020")
        page.get_by_role("button", name="Tạo văn bản và các nhiệm vụ đã chọn").click()
        page.wait_for_url(f"{live_server.url}/tasks/?document=*")
        assert "Đã đăng ký văn bản" in page.locator("main").inner_text()
    finally:
        context.close()
    world = seeded[0]
    document = Document.objects.filter(owner=world.ben_thanh).latest("pk")
    assert document.tasks.filter(due_date="2020-06-30").exists()

"""The foundation as a user meets it, in Chromium: log in, find a ward, read a chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from trienkhai.core.testing import PASSWORD, build_chain, build_world
from trienkhai.core.testing import browser_login as _login

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def seeded():
    world = build_world()
    build_chain(world)
    return world


def test_a_city_leader_finds_a_ward_and_reads_the_chain(page, live_server, seeded):
    _login(page, live_server, "lanhdao")
    _shot(page, "01-home")

    page.get_by_role("link", name="Đơn vị", exact=True).first.click()
    page.wait_for_load_state()
    _shot(page, "02-tree")

    # Searching without diacritics finds the ward.
    search = page.get_by_role("searchbox").first
    search.fill("phuong ben thanh")
    search.press("Enter")
    page.wait_for_load_state()
    result = page.get_by_role("link", name="Đảng ủy phường Bến Thành").first
    result.wait_for()
    _shot(page, "03-search")
    result.click()
    page.wait_for_load_state()
    assert "Đảng ủy phường Bến Thành" in page.locator("h1").inner_text()
    _shot(page, "04-unit")

    page.get_by_role("link", name="Văn bản", exact=True).first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="52-NQ/TW").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Chuỗi văn bản").first.click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "52-NQ/TW" in body and "116-HD/BTGTW" in body and "15-KH/ĐU" in body
    _shot(page, "05-chain")


def test_the_tree_expands_in_place(page, live_server, seeded):
    _login(page, live_server, "lanhdao")
    page.goto(f"{live_server.url}/units/")
    page.get_by_text("Đảng ủy phường Bến Thành").first.wait_for()
    before = page.get_by_text("Chi bộ khu phố 1").count()
    # Expanding the ward shows its cell without leaving the page.
    page.locator("summary", has_text="Đảng ủy phường Bến Thành").first.click()
    page.get_by_text("Chi bộ khu phố 1").first.wait_for()
    assert page.get_by_text("Chi bộ khu phố 1").count() > before
    assert page.url.rstrip("/").endswith("/units")
    _shot(page, "06-tree-expanded")


def test_another_wards_officer_cannot_open_the_ward_plan(page, live_server, seeded):
    _login(page, live_server, "canbo.tandinh")
    page.goto(f"{live_server.url}/documents/?q=phuong+ben+thanh")
    body = page.locator("main").inner_text()
    assert "Bến Thành" not in body
    page.goto(f"{live_server.url}/documents/?q=15-KH")
    assert "Tân Định" in page.locator("main").inner_text()
    _shot(page, "07-sibling-search")


@pytest.mark.second_factor
def test_a_leader_sets_up_the_authenticator_at_the_first_login(page, live_server, seeded):
    import base64
    import time

    from django_otp.oath import TOTP

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("lanhdao")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/accounts/second-factor/**")
    assert page.locator(".qr svg").is_visible()
    assert page.get_by_role("navigation", name="Trình đơn chính").count() == 0
    _shot(page, "05-second-factor-setup")

    # what a person types from the app: the key shown on the page gives the code
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    page.get_by_label("Mã 6 chữ số").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Xác nhận và tiếp tục").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("navigation", name="Trình đơn chính").is_visible()
    _shot(page, "06-after-second-factor")

"""TOTP after the password for leaders and administrators (SECURITY.md, rule 6)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.testing import PASSWORD

pytestmark = pytest.mark.second_factor

HOME = "/"
PAGE = "/accounts/second-factor/"


def _code(device: TOTPDevice, *, shift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + shift
    return f"{totp.token():0{device.digits}d}"


def _login(client, username: str):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_a_leader_sets_up_the_app_at_the_first_login_then_goes_where_he_was_going(client, world):
    _login(client, "lanhdao")
    target = reverse("tasks:list")
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(PAGE) and "next=" in response["Location"]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<svg" in html and "Thiết lập ứng dụng xác thực" in html
    device = TOTPDevice.objects.get(user=world.city_leader)
    assert not device.confirmed
    assert client.get(response["Location"]).context["secret"] == page.context["secret"]

    wrong = client.post(PAGE, {"code": "000000", "next": target})
    assert wrong.status_code == 200 and "Mã không đúng" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the throttle is tested below
    device.throttling_failure_timestamp = None
    device.save()

    done = client.post(PAGE, {"code": _code(device), "next": target})
    assert done.status_code == 302 and done["Location"] == target
    assert client.get(target).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    kinds = set(AuditEvent.objects.filter(user=world.city_leader).values_list("kind", flat=True))
    assert {"second_factor_set", "second_factor_failed"} <= kinds


def test_an_enrolled_leader_enters_the_code_at_each_login(client, world):
    device = _enrolled(world.city_leader)
    _login(client, "lanhdao")
    assert client.get(HOME)["Location"].startswith(PAGE)
    page = client.get(PAGE)
    assert "<svg" not in page.content.decode()  # no new QR code: the app is set up
    assert "Trình đơn chính" not in page.content.decode()  # no menu before the code
    response = client.post(PAGE, {"code": _code(device), "next": HOME})
    assert response.status_code == 302
    home = client.get(HOME)
    assert home.status_code == 200 and "Trình đơn chính" in home.content.decode()
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Đã thiết lập ứng dụng xác thực ngày" in profile
    assert AuditEvent.objects.filter(kind="second_factor_passed").exists()


def test_a_code_cannot_be_used_twice(client, world):
    device = _enrolled(world.city_leader)
    code = _code(device)
    _login(client, "lanhdao")
    assert client.post(PAGE, {"code": code})["Location"] == "/"
    other = client.__class__()
    _login(other, "lanhdao")
    response = other.post(PAGE, {"code": code})
    assert response.status_code == 200  # replayed: refused


def test_wrong_codes_slow_the_next_tries_down(client, world):
    device = _enrolled(world.city_leader)
    _login(client, "lanhdao")
    client.post(PAGE, {"code": "000000"})
    response = client.post(PAGE, {"code": _code(device)})
    assert response.status_code == 200
    assert "Nhập sai quá nhiều lần" in response.content.decode()


def test_staff_of_a_unit_are_not_asked(client, world):
    _login(client, "canbo.benthanh")
    assert client.get(HOME).status_code == 200
    assert client.get(PAGE).status_code == 302  # nothing to do there: sent on


def test_an_administrator_is_asked_too(client, world):
    world.admin.set_password(PASSWORD)
    world.admin.save()
    _login(client, world.admin.username)
    assert client.get("/admin/")["Location"].startswith(PAGE)


def test_before_the_code_the_api_refuses_a_session_and_htmx_is_redirected(client, world):
    _enrolled(world.city_leader)
    _login(client, "lanhdao")
    response = client.get("/api/v1/units/")
    assert response.status_code == 403
    assert "mã" in response.json()["detail"].lower()
    response = client.get(reverse("tasks:list"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(PAGE)


def test_logout_and_the_language_switch_stay_reachable(client, world):
    _login(client, "lanhdao")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(HOME).status_code == 302  # logged out: the login page now


def test_next_cannot_send_the_user_to_another_site(client, world):
    device = _enrolled(world.city_leader)
    _login(client, "lanhdao")
    response = client.post(PAGE, {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_an_api_token_for_a_leader_needs_the_current_code(client, world):
    from django.core.cache import cache

    cache.clear()
    url = "/api/v1/auth/token/"
    data = {"username": "lanhdao", "password": PASSWORD}
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 400 and "trang web" in response.json()["detail"]
    device = _enrolled(world.city_leader)
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "otp"
    response = client.post(url, {**data, "otp": "000000"}, content_type="application/json")
    assert response.status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(url, {**data, "otp": _code(device)}, content_type="application/json")
    assert response.status_code == 200 and response.json()["token"]
    staff = {"username": "canbo.benthanh", "password": PASSWORD}
    assert client.post(url, staff, content_type="application/json").status_code == 200


def test_the_setting_turns_it_off(client, world, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    _login(client, "lanhdao")
    assert client.get(HOME).status_code == 200

import time

import pytest
from django.urls import reverse

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.testing import PASSWORD


def _post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_logs_in_and_records_the_event(client, world):
    response = _post_login(client, "canbo.benthanh", PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(kind="login", username="canbo.benthanh").exists()


def test_it_gives_the_same_answer_for_unknown_and_wrong_users(client, world):
    wrong = _post_login(client, "canbo.benthanh", "nope-nope-nope").content.decode()
    unknown = _post_login(client, "nobody-here", "nope-nope-nope").content.decode()
    assert "Sai tên đăng nhập hoặc mật khẩu." in wrong
    assert "Sai tên đăng nhập hoặc mật khẩu." in unknown
    assert AuditEvent.objects.filter(kind="login_failed").count() == 2


def test_it_locks_a_username_after_five_failures_from_any_address(client, world):
    for i in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": "canbo.benthanh", "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{i}",
        )
    response = _post_login(client, "canbo.benthanh", PASSWORD)
    assert response.status_code == 429
    assert "tạm khóa" in response.content.decode()
    # Another user is not affected.
    assert _post_login(client, "canbo.tandinh", PASSWORD).status_code == 302


def test_it_ends_an_idle_session(client, world, settings, time_machine):
    settings.SESSION_IDLE_TIMEOUT = 60
    time_machine.move_to("2026-11-26 08:00:00+07:00", tick=False)
    _post_login(client, "canbo.benthanh", PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200
    time_machine.move_to("2026-11-26 08:05:00+07:00", tick=False)
    assert client.get(reverse("core:home")).status_code == 302


def test_a_disabled_user_is_logged_out(client, world):
    _post_login(client, "canbo.benthanh", PASSWORD)
    world.ward_officer.is_active = False
    world.ward_officer.save(update_fields=["is_active"])
    assert client.get(reverse("core:home")).status_code == 302


def test_a_user_moved_to_another_unit_is_logged_out(client, world):
    from trienkhai.accounts.models import Membership

    _post_login(client, "canbo.benthanh", PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200
    membership = Membership.objects.get(user=world.ward_officer, unit=world.ben_thanh)
    membership.unit = world.tan_dinh
    membership.save()
    assert client.get(reverse("core:home")).status_code == 302


def test_a_user_given_another_role_is_logged_out(client, world):
    from trienkhai.accounts.models import Membership

    _post_login(client, "canbo.benthanh", PASSWORD)
    Membership.objects.filter(user=world.ward_officer).update(role=Membership.Role.OBSERVER)
    assert client.get(reverse("core:home")).status_code == 302


def test_the_session_check_adds_no_query(client, world):
    _post_login(client, "canbo.benthanh", PASSWORD)
    client.get(reverse("core:home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("core:home")).status_code == 200
    membership_reads = [q for q in ctx.captured_queries if 'FROM "accounts_membership"' in q["sql"]]
    assert len(membership_reads) == 1


def test_logout_needs_post_and_ends_the_session(login, world):
    client = login(world.ward_officer)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_password_change_keeps_the_user_logged_in(login, world):
    client = login(world.ward_officer)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    world.ward_officer.refresh_from_db()
    assert world.ward_officer.check_password("Mat-khau-moi-2026")
    assert AuditEvent.objects.filter(kind="password_changed").exists()


def test_password_change_shows_errors_in_vietnamese(login, world):
    response = login(world.ward_officer).post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
    )
    assert response.status_code == 200
    assert "Mật khẩu cũ" in response.content.decode()


def test_profile_lists_roles(login, world):
    body = login(world.city_leader).get(reverse("accounts:profile")).content.decode()
    assert "Lãnh đạo" in body and "Đảng bộ Thành phố Hồ Chí Minh" in body


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:password_change"])
def test_pages_need_login(client, db, name):
    assert client.get(reverse(name)).status_code == 302


def test_last_seen_is_not_written_on_every_request(login, world):
    client = login(world.ward_officer)
    client.get(reverse("core:home"))
    first = client.session.get("last_seen")
    time.sleep(0.01)
    client.get(reverse("core:home"))
    assert client.session.get("last_seen") == first

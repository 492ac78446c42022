"""API tokens: obtained with a password, under the same lockout as the login page."""

from __future__ import annotations

import pytest

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.testing import PASSWORD

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _no_throttle_carryover():
    from django.core.cache import cache

    cache.clear()  # the token endpoint's rate limit counts in the cache


def _token(client, username, password):
    return client.post(
        URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_a_token_reads_the_api_within_the_user_s_reach(client, world):
    response = _token(client, "canbo.benthanh", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    units = client.get("/api/v1/units/", **auth).json()["results"]
    assert {u["name"] for u in units} == {world.ben_thanh.name, world.ben_thanh_cell.name}
    assert client.get(f"/api/v1/units/{world.tan_dinh.pk}/", **auth).status_code == 404
    assert AuditEvent.objects.filter(kind="login", user=world.ward_officer).exists()


def test_the_same_token_is_returned_twice(client, world):
    first = _token(client, "canbo.benthanh", PASSWORD).json()["token"]
    assert _token(client, "canbo.benthanh", PASSWORD).json()["token"] == first


def test_a_token_writes_where_the_role_allows(client, world):
    token = _token(client, "lanhdao", PASSWORD).json()["token"]
    response = client.post(
        "/api/v1/units/",
        {"parent": world.tan_dinh.pk, "name": "Chi bộ khu phố 3", "kind": "grassroots"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201


def test_wrong_and_unknown_users_get_the_same_answer(client, world):
    wrong = _token(client, "canbo.benthanh", "not-the-password")
    unknown = _token(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert AuditEvent.objects.filter(kind="login_failed", username="canbo.benthanh").exists()


def test_an_inactive_user_gets_no_token(client, world):
    world.ward_officer.is_active = False
    world.ward_officer.save()
    assert _token(client, "canbo.benthanh", PASSWORD).status_code == 400


def test_five_failures_lock_the_username(client, world):
    for _ in range(4):
        assert _token(client, "canbo.benthanh", "wrong-password").status_code == 400
    assert _token(client, "canbo.benthanh", "wrong-password").status_code == 429
    response = _token(client, "canbo.benthanh", PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "token" not in response.json()
    # Another user is not affected.
    assert _token(client, "canbo.tandinh", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "x"},
        {"username": ["a", "b"], "password": "x"},
        {"username": "u" * 500, "password": "x"},
    ],
)
def test_malformed_token_requests_are_400(client, world, data):
    assert client.post(URL, data, content_type="application/json").status_code == 400


def test_a_bad_token_is_refused(client, world):
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code in (401, 403)


def _auth(user) -> dict[str, str]:
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def test_the_token_and_the_reach_are_read_in_one_query(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    auth = _auth(world.ward_officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/units/{world.ben_thanh.pk}/", **auth)
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum("authtoken_token" in q for q in sql) == 1
    assert sum('FROM "accounts_membership"' in q for q in sql) == 1
    assert "authtoken_token" in sql[0] and 'FROM "accounts_membership"' in sql[0]


def test_an_inactive_user_s_token_is_refused(client, world):
    auth = _auth(world.ward_officer)
    world.ward_officer.is_active = False
    world.ward_officer.save(update_fields=["is_active"])
    response = client.get("/api/v1/units/", **auth)
    assert response.status_code in (401, 403)  # 403: session auth comes first
    assert "password" not in response.json()["detail"].lower()


def test_an_unknown_token_is_refused(client, world):
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert response.status_code in (401, 403)  # 403: session auth comes first


def test_a_user_without_memberships_reads_nothing(client, world):
    from trienkhai.accounts.models import User

    loner = User.objects.create_user(username="loner", full_name="Không đơn vị")
    response = client.get("/api/v1/units/", **_auth(loner))
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_removed_membership_takes_effect_on_the_next_request(client, world):
    auth = _auth(world.ward_officer)
    assert client.get(f"/api/v1/units/{world.ben_thanh.pk}/", **auth).status_code == 200
    world.ward_officer.memberships.all().delete()
    assert client.get(f"/api/v1/units/{world.ben_thanh.pk}/", **auth).status_code == 404


def test_rest_framework_s_own_messages_are_in_vietnamese(client, world):
    response = client.post(URL, {"username": "x"}, content_type="application/json")
    assert response.json()["password"] == ["Trường này là bắt buộc."]
    response = client.get("/api/v1/units/")
    assert response.json()["detail"] == "Chưa đăng nhập: thiếu thông tin xác thực."
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION="Token a b")
    assert "dấu cách" in response.json()["detail"]


def test_a_body_that_is_not_json_is_explained_in_vietnamese(client, world):
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Không đọc được nội dung yêu cầu theo định dạng JSON."

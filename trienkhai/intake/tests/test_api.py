"""POST /api/v1/vntext/read/: the reader's result as JSON, for signed-in callers only."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command
from rest_framework.authtoken.models import Token

from trienkhai.intake.reading import MAX_TEXT_CHARS
from trienkhai.intake.tests.helpers import SEED_TEXT
from trienkhai.tasks.models import Task
from trienkhai.vntext import read

URL = "/api/v1/vntext/read/"


def _post(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def test_anonymous_callers_are_refused(client, world):
    assert _post(client, {"text": SEED_TEXT}).status_code in (401, 403)


def test_a_token_reads_the_seed_as_the_command_line_does(client, world):
    token = Token.objects.create(user=world.other_ward_officer)
    response = _post(
        client,
        {"text": SEED_TEXT, "date": "2020-06-03"},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200
    body = response.json()
    assert body == json.loads(json.dumps(read(SEED_TEXT, dt.date(2020, 6, 3)).to_dict()))
    program = next(t for t in body["tasks"] if t["who"] == "Ban cán sự đảng UBND TP")
    assert program["due"] == "2020-06-30" and program["due_text"] == "trong quý II năm 2020"
    assert any(w["type"] == "term_mismatch" and w["term"] == "XII" for w in body["warnings"])
    assert not Task.objects.exists()  # nothing is stored


def test_units_are_matched_only_against_the_callers_reach(client, world, login):
    text = (
        "Ban Thường vụ Thành ủy yêu cầu:\n"
        "1. Đảng ủy phường Tân Định xây dựng kế hoạch, hoàn thành trước ngày 30/6/2020.\n"
    )
    body = _post(login(world.ward_officer), {"text": text}).json()
    assert body["units"] and "known" not in body["units"][0]
    body = _post(login(world.other_ward_officer), {"text": text}).json()
    assert body["units"][0]["known"] == "Đảng ủy phường Tân Định"


def test_the_date_is_read_from_the_header_when_not_given(client, world, login):
    body = _post(login(world.ward_officer), {"text": SEED_TEXT}).json()
    assert body["issue_date"] == "2020-06-03"


def test_bad_requests_get_400_with_a_reason(client, world, login):
    c = login(world.ward_officer)
    cases = [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "text"),
        ({"text": "a" * (MAX_TEXT_CHARS + 1)}, "text"),
        ({"text": SEED_TEXT, "date": "03/06/2020"}, "date"),
        ({"text": SEED_TEXT, "date": "2020-02-31"}, "date"),
        ({"text": ["not", "a", "string"]}, "text"),
    ]
    for body, field in cases:
        response = _post(c, body)
        assert response.status_code == 400, body
        assert response.json()[field], response.json()
    assert _post(c, {}).json()["text"] == ["Hãy gửi văn bản cần đọc trong trường “text”."]
    too_long = _post(c, {"text": "a" * (MAX_TEXT_CHARS + 1)}).json()["text"][0]
    assert too_long == "Văn bản quá dài: tối đa 100000 ký tự."
    response = c.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_only_post_is_allowed(world, login):
    assert login(world.ward_officer).get(URL).status_code == 405


def test_the_endpoint_is_documented(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    assert "/api/v1/vntext/read/:" in schema
    assert "VntextReadResult" in schema and "VntextTask" in schema

"""The reports API: scoped reads, writes through the reports services, 409 on a stale version."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from trienkhai.reports.models import Report, Value
from trienkhai.reports.testing import TODAY, at, build_round
from trienkhai.reports.tests.conftest import accept, fill, send

pytestmark = pytest.mark.django_db
S = Report.State


@pytest.fixture
def rep(world):
    with at(TODAY):
        built = build_round(world)
        yield built


def _as(user):
    """A client of its own: the workflow test switches between two people."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def test_anonymous_gets_nothing(client, rep):
    for url in ("/api/v1/reports/", "/api/v1/report-rounds/", "/api/v1/report-forms/"):
        assert client.get(url).status_code in (401, 403)


def test_each_user_lists_the_reports_of_their_reach(world, rep, login):
    assert _ids(login(world.ward_officer).get("/api/v1/reports/")) == {rep.bt.pk, rep.cell.pk}
    assert _ids(login(world.other_ward_officer).get("/api/v1/reports/")) == {rep.td.pk}
    client = login(world.city_leader)
    assert len(_ids(client.get("/api/v1/reports/"))) == 4
    assert _ids(client.get(f"/api/v1/reports/?unit={world.tan_dinh.pk}")) == {rep.td.pk}
    assert _ids(client.get("/api/v1/reports/?box=fill")) == {rep.city.pk}
    assert client.get("/api/v1/reports/?state=nope").status_code == 400


def test_a_tan_dinh_token_gets_404_on_ben_thanh_s_report(world, rep, client):
    token = Token.objects.create(user=world.other_ward_officer)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    assert client.get(f"/api/v1/reports/{rep.bt.pk}/").status_code == 404
    assert _patch(client, f"/api/v1/reports/{rep.bt.pk}/", {"version": 1}).status_code == 404
    for name in ("submit", "accept", "return", "reopen", "waive", "consolidation"):
        response = _post(client, f"/api/v1/reports/{rep.bt.pk}/{name}/", {"version": 1})
        assert response.status_code in (404, 405), name


def test_saving_figures_checks_them_and_the_version(world, rep, login):
    client = login(world.other_ward_officer)
    url = f"/api/v1/reports/{rep.td.pk}/"
    version = client.get(url).json()["version"]
    bad = _patch(client, url, {"version": version, "figures": {"HN": "năm", "TL": 150}})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "figure-HN": "“năm” không phải là số: chỉ ghi chữ số, ví dụ 12 hoặc 12,5.",
        "figure-TL": "Tỷ lệ phần trăm phải từ 0 đến 100; 150 không hợp lệ.",
    }
    ok = _patch(
        client,
        url,
        {
            "version": version,
            "figures": {"HN": 3, "DG": "7,5", "KH": True},
            "narrative": {"results": "Tốt"},
        },
    )
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["figures"] == {"HN": 3, "DG": 7.5, "KH": 1}
    assert body["narrative"] == {"results": "Tốt"} and body["version"] == version + 1
    stale = _patch(client, url, {"version": version, "figures": {"HN": 9}})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert Value.objects.get(report=rep.td, indicator__code="HN").number == 3
    junk = _patch(client, url, {"version": version + 1, "figures": {"HN": {"$gt": 1}}})
    assert junk.status_code == 400


def test_the_whole_workflow_through_the_api(world, rep):
    cell = _as(rep.cell_officer)
    url = f"/api/v1/reports/{rep.cell.pk}/"
    v = cell.get(url).json()["version"]
    assert _patch(cell, url, {"version": v, "figures": {"HN": 2}}).status_code == 200
    sent = _post(cell, f"{url}submit/", {"version": v + 1})
    assert sent.status_code == 200 and sent.json()["state"] == S.SUBMITTED
    ward = _as(world.ward_officer)
    v = sent.json()["version"]
    empty = _post(ward, f"{url}return/", {"version": v, "comment": ""})
    assert empty.status_code == 400 and empty.json()["detail"] == "Hãy ghi rõ cần sửa gì."
    back = _post(ward, f"{url}return/", {"version": v, "comment": "Bổ sung DV"})
    assert back.json()["state"] == S.RETURNED and back.json()["comment"] == "Bổ sung DV"
    v = back.json()["version"]
    v = _patch(cell, url, {"version": v, "figures": {"DV": 40}}).json()["version"]
    v = _post(cell, f"{url}submit/", {"version": v}).json()["version"]
    stale = _post(ward, f"{url}accept/", {"version": v - 1})
    assert stale.status_code == 409
    done = _post(ward, f"{url}accept/", {"version": v})
    assert done.status_code == 200 and done.json()["state"] == S.ACCEPTED
    locked = _patch(cell, url, {"version": done.json()["version"], "figures": {"HN": 5}})
    assert locked.status_code == 400 and locked.json()["code"] == "locked"
    assert "chỉ Đảng ủy phường Bến Thành mới có thể mở lại" in locked.json()["detail"]
    again = _post(ward, f"{url}accept/", {"version": done.json()["version"]})
    assert again.status_code == 400 and again.json()["code"] == "locked"  # nor accept twice
    # the ward's consolidation now reads the cell's figures
    cons = ward.get(f"/api/v1/reports/{rep.bt.pk}/consolidation/").json()
    figures = {f["code"]: f["value"] for f in cons["figures"]}
    assert figures["HN"] == 2 and figures["DV"] == 40
    assert cons["tally"]["accepted"] == 1 and cons["reporters"][0]["state"] == S.ACCEPTED
    reopened = _post(ward, f"{url}reopen/", {"version": done.json()["version"], "reason": "Sai DV"})
    assert reopened.status_code == 200 and reopened.json()["state"] == S.RETURNED


def test_only_the_receiver_decides(world, rep, login):
    send(rep.cell, rep.cell_officer)
    v = Report.objects.get(pk=rep.cell.pk).version
    for user in (rep.cell_officer, world.city_leader, world.other_ward_officer):
        response = _post(login(user), f"/api/v1/reports/{rep.cell.pk}/accept/", {"version": v})
        assert response.status_code == 404
    assert Report.objects.get(pk=rep.cell.pk).state == S.SUBMITTED


def test_completeness_is_scoped_to_readable_subtrees(world, rep, login):
    accept(send(rep.cell, rep.cell_officer), world.ward_officer)
    url = f"/api/v1/report-rounds/{rep.round.pk}/completeness/"
    body = login(world.city_leader).get(url).json()
    assert body["unit"]["id"] == world.city.pk
    assert body["tally"]["expected"] == 4 and body["tally"]["accepted"] == 1
    assert [r["unit"]["name"] for r in body["rows"]] == [
        world.city.name,
        world.ben_thanh.name,
        world.tan_dinh.name,
    ]
    ward = login(world.ward_officer)
    assert ward.get(url).json()["unit"]["id"] == world.ben_thanh.pk
    assert ward.get(f"{url}?unit={world.city.pk}").status_code == 404
    assert ward.get(f"{url}?sort=created_by__password").status_code == 400


def test_a_round_opens_through_the_api_only_for_one_s_own_unit(world, rep, login):
    data = {
        "form": rep.form.pk,
        "owner": world.city.pk,
        "title": "Báo cáo 6 tháng đầu năm 2021",
        "period_kind": "six_monthly",
        "year": 2021,
        "number": 1,
        "deadline_workdays": 2,
        "target_mode": "rule",
        "kinds": ["party_committee"],
        "depth": 1,
    }
    response = _post(login(world.city_leader), "/api/v1/report-rounds/", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["period_label"] == "2021-H1" and body["period_end"] == "2021-06-14"
    assert body["version"] == 1
    ward = _post(login(world.ward_officer), "/api/v1/report-rounds/", data)
    assert ward.status_code == 400  # the City is outside the ward's reach
    wrong = _post(login(world.city_leader), "/api/v1/report-rounds/", {**data, "number": 3})
    assert wrong.status_code == 400 and "number" in wrong.json()["errors"]


def test_forms_are_read_by_the_units_below_their_owner(world, rep, login):
    body = login(world.ward_officer).get("/api/v1/report-forms/").json()
    assert [f["id"] for f in body["results"]] == [rep.form.pk]
    version = body["results"][0]["current_version"]
    assert [i["code"] for i in version["indicators"]][:3] == ["HN", "DV", "TL"]
    assert version["sections"][0]["key"] == "results"


def _messages(body) -> list[str]:
    """Every message of an error body, whatever its shape."""
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [m for item in body for m in _messages(item)]
    if isinstance(body, dict):
        return [m for key, item in body.items() if key != "code" for m in _messages(item)]
    return []


def test_input_errors_read_in_vietnamese(world, rep):
    client = _as(world.other_ward_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    url = f"/api/v1/reports/{rep.td.pk}/"
    leader = _as(world.city_leader)
    leader.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    cases = [
        (
            _post(client, f"{url}submit/", {"version": "ba"}),
            {"version": ["Hãy nhập một số nguyên."]},
        ),
        (
            _post(client, f"{url}submit/", {"version": 0}),
            {"version": ["Hãy nhập một số không nhỏ hơn 1."]},
        ),
        (_post(client, f"{url}submit/", {}), {"version": ["Trường này là bắt buộc."]}),
        (
            _patch(client, url, {"version": 1, "figures": {"HN": [1]}}),
            {"figures": ["HN: hãy ghi một số hoặc một đoạn văn bản."]},
        ),
        (
            _patch(client, url, {"version": 1, "figures": {f"X{i}": 1 for i in range(501)}}),
            {"figures": ["Mỗi lần gửi tối đa 500 số liệu."]},
        ),
        (
            _patch(client, url, {"version": 1, "figures": "HN=1"}),
            {"figures": ["Cần một đối tượng gồm các cặp tên và giá trị, không phải str."]},
        ),
        (
            _patch(client, url, {"version": 1, "symbol": "x" * 61}),
            {"symbol": ["Tối đa 60 ký tự."]},
        ),
        (
            client.get("/api/v1/reports/?state=nope"),
            {"state": ["“nope” không phải là một giá trị được phép."]},
        ),
        (client.get("/api/v1/reports/?page=99"), {"detail": "Trang này không tồn tại."}),
        (
            _post(
                leader,
                "/api/v1/report-rounds/",
                {
                    "form": rep.form.pk,
                    "owner": 10**9,
                    "title": "Đợt thử",
                    "period_kind": "weekly",
                    "period_start": "2021-02-30",
                    "target_mode": "rule",
                    "kinds": ["ward"],
                    "units": "all",
                },
            ),
            {
                "owner": [f"Không có đối tượng nào mang mã số {10**9} trong phạm vi của bạn."],
                "period_kind": ["“weekly” không phải là một giá trị được phép."],
                "period_start": ["Hãy nhập ngày theo dạng YYYY-MM-DD (năm-tháng-ngày)."],
                "kinds": {"0": ["“ward” không phải là một giá trị được phép."]},
                "units": ["Cần một danh sách, không phải str."],
            },
        ),
        # a rule of the services (already translated) keeps its shape
        (
            _post(leader, f"/api/v1/reports/{rep.td.pk}/return/", {"version": 1, "comment": ""}),
            {
                "detail": "Đảng ủy phường Tân Định vẫn đang soạn báo cáo này.",
                "code": "not_submitted",
            },
        ),
    ]
    for response, expected in cases:
        assert response.status_code in (400, 404), response.content
        assert response.json() == expected
    # and in English for whoever asks for it: the messages are translations, not hard-coded
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = _post(client, f"{url}submit/", {"version": "ba"})
    assert english.json() == {"version": ["Enter a whole number."]}


def test_no_api_error_of_the_reports_reads_in_english_under_the_vietnamese_locale(world, rep):
    """A sweep over the endpoints with junk input: any message left in English would match
    one of DRF's or our English words."""
    import re

    english = re.compile(r"\b(the|is|a valid|ensure|must|not found|field|value|enter)\b", re.I)
    client = _as(world.city_leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    junk = {"version": "x", "comment": ["x"], "reason": {"a": 1}, "receiver": "x"}
    responses = [
        _post(client, f"/api/v1/reports/{rep.td.pk}/{name}/", junk)
        for name in ("return", "accept", "reopen", "waive", "receiver")
    ]
    responses += [
        _post(client, f"/api/v1/reports/{rep.city.pk}/submit/", junk),
        _patch(client, f"/api/v1/reports/{rep.city.pk}/", {**junk, "narrative": [1]}),
        _post(client, "/api/v1/report-rounds/", {"title": "", "depth": 99, "year": "x"}),
        client.get(f"/api/v1/report-rounds/{rep.round.pk}/completeness/?unit=x&sort=x&page=0"),
        client.get("/api/v1/report-rounds/?owner=x&form=-1"),
        client.get("/api/v1/report-forms/?owner=x&q=" + "x" * 300),
        client.get("/api/v1/reports/?round=x&box=x&unit=0"),
    ]
    for response in responses:
        assert response.status_code == 400, response.content
        messages = _messages(response.json())
        assert messages
        for message in messages:
            assert not english.search(message), message


@pytest.mark.parametrize("name", ["submit", "return", "accept", "reopen", "waive"])
def test_every_transition_checks_its_input_and_the_version(world, rep, name):
    """The five actions share one helper: each reads its input, answers 409 on a stale
    version, and 404 to a user who is not the reporter (submit) or the receiver (the rest)."""
    actor = world.other_ward_officer if name == "submit" else world.city_leader
    other = world.city_leader if name == "submit" else world.other_ward_officer
    if name == "submit":
        fill(rep.td, world.other_ward_officer, HN=1)
    else:
        send(rep.td, world.other_ward_officer)
    if name == "reopen":
        accept(rep.td, world.city_leader)
    version = Report.objects.get(pk=rep.td.pk).version
    url = f"/api/v1/reports/{rep.td.pk}/{name}/"
    body = {"version": version, "comment": "Bổ sung", "reason": "Lý do"}
    assert _post(_as(other), url, body).status_code == 404
    assert _post(_as(actor), url, {"version": "x"}).status_code == 400
    assert _post(_as(actor), url, {**body, "version": version + 1}).status_code == 409
    done = _post(_as(actor), url, body)
    assert done.status_code == 200, done.content
    expected = {
        "submit": S.SUBMITTED,
        "return": S.RETURNED,
        "accept": S.ACCEPTED,
        "reopen": S.RETURNED,
        "waive": S.WAIVED,
    }
    assert done.json()["state"] == expected[name] == Report.objects.get(pk=rep.td.pk).state
    assert done.json()["version"] == version + 1

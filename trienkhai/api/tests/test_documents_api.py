"""The documents API: scoped reads, filters, writes through the documents services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from trienkhai.documents.models import Document
from trienkhai.documents.services import document_create

URL = "/api/v1/documents/"


@dataclass
class Docs:
    nq52: Document
    hd116: Document
    program: Document
    plan_bt: Document
    plan_td: Document


@pytest.fixture
def docs(world) -> Docs:
    nq52 = document_create(
        owner=world.city,
        by=None,
        symbol="52-NQ/TW",
        issue_date=dt.date(2019, 9, 27),
        summary="Về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư",
        issuer_name="Bộ Chính trị",
        visibility="public",
    )
    hd116 = document_create(
        owner=world.city,
        by=None,
        symbol="116-HD/BTGTW",
        issue_date=dt.date(2020, 1, 13),
        summary="Hướng dẫn triển khai Nghị quyết 52",
        issuer_name="Ban Tuyên giáo Trung ương",
        visibility="public",
        implements=[nq52],
    )
    program = document_create(
        owner=world.city,
        by=None,
        symbol="40-CTr/TU",
        issue_date=dt.date(2020, 6, 26),
        summary="Chương trình hành động của Thành ủy",
        issuer_unit=world.city,
        implements=[hd116],
    )
    plan_bt = document_create(
        owner=world.ben_thanh,
        by=None,
        symbol="15-KH/ĐU",
        issue_date=dt.date(2020, 7, 10),
        summary="Kế hoạch của Đảng ủy phường Bến Thành",
        text="Nội dung kế hoạch",
        issuer_unit=world.ben_thanh,
        implements=[program],
    )
    plan_td = document_create(
        owner=world.tan_dinh,
        by=None,
        symbol="12-KH/ĐU",
        issue_date=dt.date(2020, 7, 14),
        summary="Kế hoạch của Đảng ủy phường Tân Định",
        issuer_unit=world.tan_dinh,
        implements=[program],
    )
    return Docs(nq52, hd116, program, plan_bt, plan_td)


def _symbols(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {d["symbol"] for d in response.json()["results"]}


def test_the_other_ward_officer_cannot_reach_ben_thanh_s_plan(world, docs, login):
    client = login(world.other_ward_officer)
    pk = docs.plan_bt.pk
    assert client.get(f"{URL}{pk}/").status_code == 404
    assert client.get(f"{URL}{pk}/chain/").status_code == 404
    assert (
        client.patch(f"{URL}{pk}/", {"title": "X"}, content_type="application/json").status_code
        == 404
    )
    assert _symbols(client.get(URL)) == {"52-NQ/TW", "116-HD/BTGTW", "40-CTr/TU", "12-KH/ĐU"}
    assert _symbols(client.get(URL, {"q": "ben thanh"})) == set()
    chain = client.get(f"{URL}{docs.nq52.pk}/chain/").json()
    assert "15-KH/ĐU" not in {d["symbol"] for d in chain["descendants"]}


def test_the_ward_officer_reads_their_plan_and_the_directives_above(world, docs, login):
    client = login(world.ward_officer)
    response = client.get(f"{URL}{docs.plan_bt.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "Nội dung kế hoạch"
    assert body["owner"]["id"] == world.ben_thanh.pk
    assert body["implements"] == [docs.program.pk]
    assert (body["number"], body["type_code"], body["issuer_code"]) == ("15", "KH", "ĐU")
    assert "12-KH/ĐU" not in _symbols(client.get(URL))


def test_the_chain_runs_from_the_resolution_to_the_plans(world, docs, login):
    response = login(world.city_leader).get(f"{URL}{docs.program.pk}/chain/")
    assert response.status_code == 200
    body = response.json()
    assert body["document"]["symbol"] == "40-CTr/TU"
    assert [(d["symbol"], d["level"], d["via"]) for d in body["ancestors"]] == [
        ("116-HD/BTGTW", 1, docs.program.pk),
        ("52-NQ/TW", 2, docs.hd116.pk),
    ]
    assert {d["symbol"] for d in body["descendants"]} == {"15-KH/ĐU", "12-KH/ĐU"}
    assert {d["level"] for d in body["descendants"]} == {1}


def test_the_chain_from_the_top_reaches_the_plans_below(world, docs, login):
    body = login(world.ward_officer).get(f"{URL}{docs.nq52.pk}/chain/").json()
    assert body["ancestors"] == []
    assert [(d["symbol"], d["level"]) for d in body["descendants"]] == [
        ("116-HD/BTGTW", 1),
        ("40-CTr/TU", 2),
        ("15-KH/ĐU", 3),
    ]


def test_it_filters_by_type_issuer_year_and_words(world, docs, login):
    client = login(world.city_leader)
    assert _symbols(client.get(URL, {"type": "KH"})) == {"15-KH/ĐU", "12-KH/ĐU"}
    assert _symbols(client.get(URL, {"issuer": "TW"})) == {"52-NQ/TW"}
    assert _symbols(client.get(URL, {"year": 2019})) == {"52-NQ/TW"}
    assert _symbols(client.get(URL, {"q": "cach mang cong nghiep"})) == {"52-NQ/TW"}
    assert _symbols(client.get(URL, {"q": "ke hoach tan dinh"})) == {"12-KH/ĐU"}


@pytest.mark.parametrize(
    "params",
    [
        {"year": "twenty"},
        {"year": "99999"},
        {"q": "q" * 10_000},
        {"q": "a\x00b"},
        {"type": "T" * 100},
    ],
)
def test_malformed_filters_are_400(world, docs, login, params):
    response = login(world.city_leader).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_unknown_parameters_are_ignored(world, docs, login):
    client = login(world.other_ward_officer)
    plain = client.get(URL).json()
    for params in (
        {"_connector": "OR"},
        {"owner__path__startswith": ""},
        {"visibility": "internal"},
    ):
        assert client.get(URL, params).json() == plain


@pytest.mark.parametrize("pk", ["abc", "0", str(10**30), "1.0"])
def test_malformed_ids_are_404(world, docs, login, pk):
    assert login(world.city_leader).get(f"{URL}{pk}/").status_code == 404


def test_the_list_query_count_is_constant(world, docs, login, django_assert_max_num_queries):
    for i in range(20):
        document_create(owner=world.city, by=None, symbol=f"{i + 1}-TB/TU", implements=[docs.nq52])
    client = login(world.city_leader)
    # Session, user, memberships, count, page, links, files, visible links, session save.
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.json()["count"] == 25


# --- writes ----------------------------------------------------------------------


def _post(client, data):
    return client.post(URL, data, content_type="application/json")


def test_the_ward_officer_registers_a_plan_for_their_ward(world, docs, login):
    response = _post(
        login(world.ward_officer),
        {
            "owner": world.ben_thanh.pk,
            "symbol": "16-KH/ĐU",
            "issue_date": "2020-08-01",
            "summary": "Kế hoạch kiểm tra, giám sát",
            "issuer_unit": world.ben_thanh.pk,
            "implements": [docs.program.pk],
        },
    )
    assert response.status_code == 201, response.json()
    doc = Document.objects.get(pk=response.json()["id"])
    assert doc.owner == world.ben_thanh
    assert doc.created_by == world.ward_officer
    assert list(doc.implements.all()) == [docs.program]


def test_nobody_registers_for_a_unit_they_do_not_act_for(world, docs, login):
    # Outside the reach: the owner reads as unknown.
    response = _post(login(world.ward_officer), {"owner": world.tan_dinh.pk, "summary": "X"})
    assert response.status_code == 400
    assert "owner" in response.json()
    # Within reach but only an observer: the service says why.
    response = _post(login(world.observer), {"owner": world.city.pk, "summary": "X"})
    assert response.status_code == 400
    assert response.json()["code"] == "forbidden"
    assert response.json()["detail"]
    assert not Document.objects.filter(summary="X").exists()


def test_a_document_cannot_implement_one_the_user_cannot_see(world, docs, login):
    response = _post(
        login(world.other_ward_officer),
        {"owner": world.tan_dinh.pk, "summary": "X", "implements": [docs.plan_bt.pk]},
    )
    assert response.status_code == 400
    assert "implements" in response.json()


def test_a_classified_document_is_refused_with_the_reason(world, docs, login):
    response = _post(
        login(world.ward_officer),
        {"owner": world.ben_thanh.pk, "symbol": "17-KH/ĐU", "text": "MẬT\n\nNội dung"},
    )
    assert response.status_code == 400
    assert "Mật" in response.json()["detail"]


def test_a_duplicate_symbol_is_refused_with_the_reason(world, docs, login):
    response = _post(
        login(world.ward_officer),
        {
            "owner": world.ben_thanh.pk,
            "symbol": "15-KH/ĐU",
            "issue_date": "2020-07-10",
            "issuer_unit": world.ben_thanh.pk,
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"owner": "x", "summary": "X"},
        {"owner": "OWNER"},
        {"owner": "OWNER", "summary": "X", "visibility": "secret"},
        {"owner": "OWNER", "summary": "X", "implements": "1"},
        {"owner": "OWNER", "summary": "X", "implements": [{"id": 1}]},
        {"owner": "OWNER", "summary": "X", "issue_date": "2020-13-45"},
        {"owner": "OWNER", "summary": "X" * 6000},
        {"owner": "OWNER", "summary": "nul\x00byte"},
    ],
)
def test_bad_document_input_is_400(world, docs, login, data):
    data = {k: (world.ben_thanh.pk if v == "OWNER" else v) for k, v in data.items()}
    response = _post(login(world.ward_officer), data)
    assert response.status_code == 400
    assert response.json()


def test_the_ward_officer_edits_and_relinks_their_plan(world, docs, login):
    response = login(world.ward_officer).patch(
        f"{URL}{docs.plan_bt.pk}/",
        {"title": "Kế hoạch (sửa)", "implements": [docs.nq52.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    docs.plan_bt.refresh_from_db()
    assert docs.plan_bt.title == "Kế hoạch (sửa)"
    assert list(docs.plan_bt.implements.all()) == [docs.nq52]


def test_a_link_that_closes_a_circle_is_refused(world, docs, login):
    response = login(world.city_leader).patch(
        f"{URL}{docs.nq52.pk}/", {"implements": [docs.program.pk]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "cycle"


def test_only_the_registering_unit_edits(world, docs, login):
    # The City leader reads the ward plan but does not act for the ward: 404 on write.
    response = login(world.city_leader).patch(
        f"{URL}{docs.plan_bt.pk}/", {"title": "X"}, content_type="application/json"
    )
    assert response.status_code == 404
    response = login(world.observer).patch(
        f"{URL}{docs.program.pk}/", {"title": "X"}, content_type="application/json"
    )
    assert response.status_code == 404

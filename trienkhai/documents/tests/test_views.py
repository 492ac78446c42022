import datetime as dt
import hashlib

import pytest
from django.urls import reverse

from trienkhai.accounts.models import AuditEvent
from trienkhai.documents.models import Document
from trienkhai.documents.services import document_attach_file, document_create
from trienkhai.documents.tests.conftest import make_docx, make_pdf, upload

pytestmark = pytest.mark.django_db


def _list(client, **params):
    return client.get(reverse("documents:list"), params)


# --- list and search ---------------------------------------------------------------------


def test_the_list_shows_visible_documents(chain, world, login):
    response = _list(login(world.ward_officer))
    assert response.status_code == 200
    body = response.content.decode()
    for doc in (chain.nq52, chain.hd116, chain.letter, chain.program, chain.plan_bt):
        assert reverse("documents:detail", args=[doc.pk]) in body
    assert reverse("documents:detail", args=[chain.plan_td.pk]) not in body


@pytest.mark.parametrize("query", ["nghi quyet 52", "52-NQ/TW", "52 NQ TW", "52 - NQ/TƯ"])
def test_search_finds_nq52_however_it_is_typed(chain, world, login, query):
    found = list(_list(login(world.ward_officer), q=query).context["page"])
    assert chain.nq52 in found
    assert chain.plan_bt not in found
    if query != "nghi quyet 52":
        assert found[0] == chain.nq52  # the exact symbol first, then what cites it


def test_search_ignores_accents_in_titles(chain, world, login):
    response = _list(login(world.ward_officer), q="cach mang cong nghiep")
    assert chain.nq52 in list(response.context["page"])


def test_search_does_not_reveal_another_wards_plan(chain, world, login):
    client = login(world.other_ward_officer)
    response = _list(client, q="Bến Thành")
    assert list(response.context["page"]) == []
    assert reverse("documents:detail", args=[chain.plan_bt.pk]) not in response.content.decode()
    assert list(_list(client, q="15-KH/ĐU").context["page"]) == [chain.plan_td]


def test_filters_by_type_issuer_year_and_visibility(chain, world, login):
    client = login(world.city_leader)
    assert list(_list(client, type="HD").context["page"]) == [chain.hd116]
    assert set(_list(client, issuer="TW").context["page"]) == {chain.nq52}
    assert set(_list(client, year="2019").context["page"]) == {chain.nq52}
    assert set(_list(client, visibility="public").context["page"]) == {chain.nq52, chain.hd116}


def test_invalid_filter_values_are_ignored(chain, world, login):
    client = login(world.city_leader)
    response = _list(client, type="ZZ", year="abc", sort="created_by__password")
    assert response.status_code == 200
    assert len(response.context["page"]) == 6


def test_the_list_sorts_by_date_and_symbol(chain, world, login):
    client = login(world.city_leader)
    newest = list(_list(client).context["page"])
    assert newest[0] == chain.plan_td and newest[-1] == chain.nq52
    oldest = list(_list(client, sort="date_asc").context["page"])
    assert oldest[0] == chain.nq52
    by_symbol = [d.symbol for d in _list(client, sort="symbol").context["page"]]
    assert by_symbol == sorted(by_symbol)


def test_the_list_is_paginated(world, login):
    for i in range(30):
        document_create(owner=world.city, by=None, symbol=f"{i + 1}-TB/TU")
    client = login(world.city_leader)
    first = _list(client)
    assert len(first.context["page"]) == 25
    assert "page=2" in first.content.decode()
    assert len(_list(client, page=2).context["page"]) == 5


def test_the_list_runs_a_constant_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.ward_officer)
    for i in range(3):
        document_create(owner=world.city, by=None, symbol=f"{i + 1}-TB/TU", issuer_unit=world.city)
    with django_assert_max_num_queries(12) as few:
        _list(client)
    for i in range(3, 40):
        document_create(owner=world.city, by=None, symbol=f"{i + 1}-TB/TU", issuer_unit=world.city)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _list(client, q="TB")


def test_the_empty_list_says_so(world, login):
    response = _list(login(world.ward_officer))
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()
    assert reverse("documents:create") in response.content.decode()
    filtered = _list(login(world.ward_officer), q="không có gì")
    assert 'class="empty"' in filtered.content.decode()


def test_the_list_needs_a_login(client):
    response = client.get(reverse("documents:list"))
    assert response.status_code == 302


# --- detail and chain ----------------------------------------------------------------------


def test_the_detail_page_shows_the_parts_links_and_history(chain, world, login):
    response = login(world.city_leader).get(reverse("documents:detail", args=[chain.letter.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2156-CV/TU" in body and "03/06/2020" in body
    assert reverse("documents:detail", args=[chain.hd116.pk]) in body  # implements
    assert reverse("documents:detail", args=[chain.program.pk]) in body  # implemented by
    assert response.context["history"]
    assert reverse("documents:edit", args=[chain.letter.pk]) in body


def test_readers_get_no_edit_links(chain, world, login):
    response = login(world.ward_officer).get(reverse("documents:detail", args=[chain.letter.pk]))
    assert reverse("documents:edit", args=[chain.letter.pk]) not in response.content.decode()


def test_the_detail_page_hides_links_to_invisible_documents(chain, world, login):
    response = login(world.other_ward_officer).get(
        reverse("documents:detail", args=[chain.program.pk])
    )
    body = response.content.decode()
    assert reverse("documents:detail", args=[chain.plan_td.pk]) in body
    assert reverse("documents:detail", args=[chain.plan_bt.pk]) not in body


def test_the_chain_page_shows_the_whole_chain(chain, world, login):
    response = login(world.ward_officer).get(reverse("documents:chain", args=[chain.nq52.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for doc in (chain.hd116, chain.letter, chain.program, chain.plan_bt):
        assert reverse("documents:detail", args=[doc.pk]) in body
    assert reverse("documents:detail", args=[chain.plan_td.pk]) not in body


def test_the_chain_page_of_a_plan_shows_its_ancestors(chain, world, login):
    response = login(world.ward_officer).get(reverse("documents:chain", args=[chain.plan_bt.pk]))
    body = response.content.decode()
    assert "52-NQ/TW" in body and "116-HD/BTGTW" in body and "30-CTr/TU" in body


@pytest.mark.parametrize(
    "name",
    [
        "documents:detail",
        "documents:chain",
        "documents:edit",
        "documents:attach",
        "documents:links",
    ],
)
def test_the_other_ward_officer_gets_404_on_ben_thanhs_document(chain, world, login, name):
    response = login(world.other_ward_officer).get(reverse(name, args=[chain.plan_bt.pk]))
    assert response.status_code == 404


# --- create and edit -----------------------------------------------------------------------


def test_the_create_form_lists_only_units_the_user_acts_for(world, login):
    response = login(world.ward_officer).get(reverse("documents:create"))
    assert response.status_code == 200
    owners = list(response.context["form"].fields["owner"].queryset)
    assert owners == [world.ben_thanh]


def test_observers_cannot_open_the_create_form(world, login):
    assert login(world.observer).get(reverse("documents:create")).status_code == 404


def test_creating_a_document_through_the_form(chain, world, login):
    client = login(world.ward_officer)
    response = client.post(
        reverse("documents:create"),
        {
            "owner": world.ben_thanh.pk,
            "symbol": "20-KH/ĐU",
            "issue_date": "05/09/2020",
            "title": "Kế hoạch kiểm tra, giám sát",
            "issuer_unit": world.ben_thanh.pk,
            "visibility": "internal",
            "implements": chain.program.pk,
            "file": upload("ke-hoach.docx", make_docx()),
        },
    )
    doc = Document.objects.get(symbol="20-KH/ĐU")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[doc.pk])
    assert doc.issue_date == dt.date(2020, 9, 5)
    assert (doc.number, doc.type_code, doc.issuer_code) == ("20", "KH", "ĐU")
    assert list(doc.implements.all()) == [chain.program]
    assert doc.files.count() == 1 and doc.created_by == world.ward_officer


def test_the_create_form_refuses_a_posted_owner_outside_reach(world, login):
    response = login(world.ward_officer).post(
        reverse("documents:create"),
        {"owner": world.tan_dinh.pk, "symbol": "21-KH/ĐU", "visibility": "internal"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert not Document.objects.filter(symbol="21-KH/ĐU").exists()


def test_the_create_form_redisplays_what_was_typed_on_a_duplicate(chain, world, login):
    response = login(world.city_leader).post(
        reverse("documents:create"),
        {
            "owner": world.city.pk,
            "symbol": "52-NQ/TW",
            "issue_date": "27/09/2019",
            "summary": "Bản nhập lại",
            "visibility": "internal",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["form"].errors["symbol"]
    assert "Bản nhập lại" in body and "27/09/2019" in body


def test_the_create_form_refuses_a_classified_document_with_a_clear_message(world, login):
    response = login(world.city_leader).post(
        reverse("documents:create"),
        {
            "owner": world.city.pk,
            "symbol": "22-NQ/TU",
            "text": "TỐI MẬT\nNội dung",
            "visibility": "internal",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CLASSIFIED_REFUSED).count() == 1
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CLASSIFIED_REFUSED)
    assert event.ip == "127.0.0.1"


def test_the_create_form_shows_upload_refusals_on_the_file_field(world, login):
    response = login(world.city_leader).post(
        reverse("documents:create"),
        {
            "owner": world.city.pk,
            "symbol": "23-NQ/TU",
            "visibility": "internal",
            "file": upload("x.pdf", b"<html></html>"),
        },
    )
    assert response.context["form"].errors["file"]


def test_editing_a_document(chain, world, login):
    client = login(world.city_leader)
    url = reverse("documents:edit", args=[chain.letter.pk])
    form = client.get(url).context["form"]
    assert form.initial["symbol"] == "2156-CV/TU"
    response = client.post(
        url,
        {
            "owner": world.city.pk,
            "symbol": "2156-CV/TU",
            "issuer_unit": world.city.pk,
            "issue_date": "04/06/2020",
            "summary": "Tóm tắt mới",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    chain.letter.refresh_from_db()
    assert chain.letter.issue_date == dt.date(2020, 6, 4)
    assert chain.letter.visibility == "public"
    history = client.get(reverse("documents:detail", args=[chain.letter.pk])).context["history"]
    assert history[0].who == str(world.city_leader)
    labels = {c.label for c in history[0].changes}
    assert labels == {"Ngày ban hành", "Trích yếu", "Phạm vi"}


def test_the_city_leader_cannot_edit_a_wards_document(chain, world, login):
    response = login(world.city_leader).get(reverse("documents:edit", args=[chain.plan_bt.pk]))
    assert response.status_code == 404


# --- files -------------------------------------------------------------------------------------


def test_attaching_a_file_through_the_form(chain, world, login):
    client = login(world.ward_officer)
    url = reverse("documents:attach", args=[chain.plan_bt.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": upload("bao-cao.pdf", make_pdf(["Báo cáo"]))})
    assert response.status_code == 302
    assert chain.plan_bt.files.get().original_name == "bao-cao.pdf"


def test_a_refused_upload_is_explained_on_the_form(chain, world, login):
    client = login(world.ward_officer)
    url = reverse("documents:attach", args=[chain.plan_bt.pk])
    response = client.post(url, {"file": upload("x.svg", b"<svg/>")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_downloading_a_file(chain, world, login):
    content = make_pdf(["Kế hoạch"])
    stored = document_attach_file(
        document=chain.plan_bt, upload=upload("kế hoạch.pdf", content), by=None
    )
    response = login(world.ward_officer).get(reverse("documents:file", args=[stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_other_ward_officer_cannot_download_ben_thanhs_file(chain, world, login):
    stored = document_attach_file(
        document=chain.plan_bt, upload=upload("a.pdf", make_pdf()), by=None
    )
    response = login(world.other_ward_officer).get(reverse("documents:file", args=[stored.pk]))
    assert response.status_code == 404


def test_a_tampered_file_is_not_served(chain, world, login, media_root):
    stored = document_attach_file(
        document=chain.plan_bt, upload=upload("a.pdf", make_pdf()), by=None
    )
    (media_root / stored.file.name).write_bytes(b"%PDF-1.4 something else")
    response = login(world.ward_officer).get(reverse("documents:file", args=[stored.pk]))
    assert response.status_code == 409
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.FILE_TAMPERED, detail__file=stored.pk
    ).exists()
    assert hashlib.sha256(b"%PDF-1.4 something else").hexdigest() != stored.sha256


# --- links -----------------------------------------------------------------------------------


def test_the_link_page_searches_visible_documents(chain, world, login):
    client = login(world.ward_officer)
    url = reverse("documents:links", args=[chain.plan_bt.pk])
    response = client.get(url, {"q": "52-NQ/TW"})
    assert response.status_code == 200
    assert chain.nq52 in list(response.context["candidates"])
    assert chain.program not in list(response.context["candidates"])  # already linked
    assert list(client.get(url, {"q": "Tân Định"}).context["candidates"]) == []


def test_linking_and_unlinking_through_the_page(chain, world, login):
    client = login(world.ward_officer)
    url = reverse("documents:links", args=[chain.plan_bt.pk])
    response = client.post(url, {"implements": chain.nq52.pk, "action": "link"})
    assert response.status_code == 302
    assert set(chain.plan_bt.implements.all()) == {chain.program, chain.nq52}
    client.post(url, {"implements": chain.nq52.pk, "action": "unlink"})
    assert set(chain.plan_bt.implements.all()) == {chain.program}


def test_the_link_page_refuses_a_circle(chain, world, login):
    client = login(world.city_leader)
    url = reverse("documents:links", args=[chain.nq52.pk])
    response = client.post(url, {"implements": chain.program.pk, "action": "link"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not chain.nq52.implements.exists()


def test_the_link_page_refuses_a_hidden_document(chain, world, login):
    client = login(world.other_ward_officer)
    url = reverse("documents:links", args=[chain.plan_td.pk])
    response = client.post(url, {"implements": chain.plan_bt.pk, "action": "link"})
    assert response.status_code == 200
    assert response.context["form"].errors["implements"]
    assert set(chain.plan_td.implements.all()) == {chain.program}


def test_a_file_over_the_cap_is_refused_without_being_stored_whole(
    chain, world, login, settings, monkeypatch
):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.UPLOAD_MAX_BYTES = 256 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # bigger files go to a temporary file
    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        written.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    client = login(world.ward_officer)
    url = reverse("documents:attach", args=[chain.plan_bt.pk])
    big = make_pdf(["Báo cáo"]) + b"0" * (3 * 1024 * 1024)
    response = client.post(url, {"file": upload("bao-cao.pdf", big)})
    assert response.status_code == 200
    assert "quá lớn" in " ".join(response.context["form"].errors["file"])
    assert sum(written) <= settings.UPLOAD_MAX_BYTES + 64 * 1024  # the cap and one chunk
    assert not chain.plan_bt.files.exists()

"""The study pages through HTTP: coverage, sessions, public information, exports, scoping."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trienkhai.accounts.models import AuditEvent, Membership
from trienkhai.core.testing import make_user
from trienkhai.outreach import rollup
from trienkhai.outreach.models import PublicOutreach, SessionFile, StudySession
from trienkhai.outreach.services import outreach_record
from trienkhai.outreach.testing import at, build_study, record
from trienkhai.tasks.models import Assignment
from trienkhai.tasks.testing import TODAY
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(world):
    return build_study(world)


@pytest.fixture
def sessions(world, study):
    a = record(study.study_bt, by=world.ward_officer, party_members=800, public=120)
    b = record(study.study_cell, party_members=30)
    c = record(study.study_td, by=world.other_ward_officer, party_members=200)
    return a, b, c


def _post_session(client, study, **over):
    data = {
        "assignment": study.study_bt.pk,
        "documents": [study.cascade.chain.nq52.pk],
        "held_on": "20/08/2020",
        "form": "in_person",
        "location": "Hội trường UBND phường",
        "presenter": "Đồng chí Bí thư Đảng ủy",
        "party_members": "350",
        "cadres": "40",
        "public": "",
        "minutes": "Quán triệt Nghị quyết 52",
        "reason": "",
    }
    data.update(over)
    return client.post(reverse("outreach:session_create"), data)


# --- coverage page -----------------------------------------------------------------------------


def test_the_coverage_page_shows_the_cap_and_the_figures(world, study, sessions, login):
    client = login(world.city_leader)
    with at(TODAY):
        r = client.get(reverse("outreach:coverage_unit", args=[world.city.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "không vượt quá" in body  # the cap is said on the page
    assert "Đảng ủy phường Bến Thành" in body and "Đảng ủy phường Tân Định" in body
    c = r.context["counts"]
    assert c.covered["party_members"] == 800 + 30 + 200
    assert c.sessions == 3
    assert "Chưa tổ chức" in body or "chưa tổ chức" in body.lower()


def test_the_coverage_page_costs_the_same_queries_for_more_units(
    world, study, sessions, login, django_assert_max_num_queries
):
    unit_create(parent=world.city, name="Đảng ủy phường Đa Kao", kind="party_committee", cadres=9)
    client = login(world.city_leader)
    url = reverse("outreach:coverage_unit", args=[world.city.pk])
    client.get(url)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for i in range(30):
        unit_create(parent=world.city, name=f"Đảng ủy phường {i}", kind="party_committee", cadres=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(url + "?sort=-without")
    assert r.context["counts"].without == 1 + 30


def test_the_list_of_units_without_a_session_pages_in_place(world, study, login):
    for i in range(25):
        unit_create(
            parent=world.city, name=f"Đảng ủy phường {i:02d}", kind="party_committee", cadres=5
        )
    client = login(world.city_leader)
    url = reverse("outreach:coverage_unit", args=[world.city.pk])
    r = client.get(url, {"npage": 2, "part": "without"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert "<html" not in r.content.decode()
    assert len(r.context["without"]) == 28 - 20


def test_a_ward_officer_sees_the_ward_not_the_city_nor_the_sibling(world, study, sessions, login):
    client = login(world.ward_officer)
    assert client.get(reverse("outreach:coverage")).url.endswith(
        reverse("outreach:coverage_unit", args=[world.ben_thanh.pk])
    )
    for unit in (world.city, world.tan_dinh):
        assert client.get(reverse("outreach:coverage_unit", args=[unit.pk])).status_code == 404
        assert client.get(reverse("outreach:coverage_export", args=[unit.pk])).status_code == 404
    r = client.get(reverse("outreach:coverage_unit", args=[world.ben_thanh.pk]))
    assert "Tân Định" not in r.content.decode()


def test_the_coverage_export_is_a_workbook_and_is_audited(world, study, sessions, login):
    import openpyxl

    client = login(world.city_leader)
    r = client.get(reverse("outreach:coverage_export", args=[world.city.pk]))
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert len(book.sheetnames) == 3
    rows = list(book.worksheets[1].values)
    assert any("Bến Thành" in str(row[0]) for row in rows[1:])
    assert AuditEvent.objects.filter(kind="export", detail__what="coverage").exists()


# --- sessions --------------------------------------------------------------------------------


def test_an_officer_records_a_session_and_the_assignment_moves(world, study, login):
    client = login(world.ward_officer)
    r = client.get(reverse("outreach:session_create"))
    assert r.status_code == 200
    assert "1.200" in r.content.decode()  # the unit's headcounts are shown
    with at(dt.date(2020, 8, 25)):
        r = _post_session(client, study)
    assert r.status_code == 302, r.context["form"].errors
    s = StudySession.objects.get()
    assert (
        s.unit == world.ben_thanh and s.party_members == 350 and s.created_by == world.ward_officer
    )
    assert (
        Assignment.objects.get(pk=study.study_bt.pk).updates.first().text.startswith("Buổi học tập")
    )
    assert rollup.check() == []


def test_a_refused_session_shows_the_reason_and_keeps_what_was_typed(world, study, login):
    client = login(world.ward_officer)
    with at(dt.date(2020, 8, 25)):
        r = _post_session(client, study, party_members="1250")
    assert r.status_code == 400
    body = r.content.decode()
    assert "1.250" in body and "1.200" in body
    assert 'value="Hội trường UBND phường"' in body
    assert StudySession.objects.count() == 0
    with at(dt.date(2020, 8, 25)):
        r = _post_session(client, study, held_on="26/08/2020")
    assert "không được sau hôm nay" in r.content.decode()
    with at(dt.date(2020, 8, 25)):
        r = _post_session(client, study, documents=[study.cascade.chain.plan_bt.pk])
    assert r.status_code == 400  # not offered: the form refuses it


def test_an_officer_cannot_use_another_units_assignment(world, study, login):
    client = login(world.ward_officer)
    with at(dt.date(2020, 8, 25)):
        r = _post_session(client, study, assignment=study.study_td.pk)
    assert r.status_code == 400
    assert StudySession.objects.count() == 0


def test_files_are_checked_stored_and_served_to_readers_only(
    world, study, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.ward_officer)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    with at(dt.date(2020, 8, 25)):
        r = _post_session(client, study, files=[SimpleUploadedFile("anh hoi nghi.png", png)])
    assert r.status_code == 302
    stored = SessionFile.objects.get()
    assert stored.original_name == "anh hoi nghi.png" and "hoi" not in stored.file.name
    url = reverse("outreach:session_file", args=[stored.pk])
    client = login(world.ward_officer)  # the session's clock went back to 2020: log in again
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == png
    assert r["Content-Disposition"].startswith("attachment")
    assert login(world.other_ward_officer).get(url).status_code == 404
    # bytes changed on disk: never served, audited
    (tmp_path / stored.file.name).write_bytes(png[:-4] + b"XXXX")
    r = login(world.ward_officer).get(url)
    assert r.status_code == 409 and "Không thể tải tệp" in r.content.decode()
    assert reverse("outreach:session", args=[stored.session_id]) in r.content.decode()
    from trienkhai.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(kind="file_tampered", detail__session_file=stored.pk).exists()
    (tmp_path / stored.file.name).write_bytes(png)
    # HTML renamed .pdf is refused, nothing is recorded
    client = login(world.ward_officer)
    with at(dt.date(2020, 8, 25)):
        r = _post_session(
            client, study, files=[SimpleUploadedFile("x.pdf", b"<html><script>1</script>")]
        )
    assert r.status_code == 400 and StudySession.objects.count() == 1


def test_the_session_pages_are_scoped(world, study, sessions, login):
    bt, cell, td = sessions
    other = login(world.other_ward_officer)
    for name in ("outreach:session", "outreach:session_edit", "outreach:session_delete"):
        assert other.get(reverse(name, args=[bt.pk])).status_code == 404
        assert other.get(reverse(name, args=[cell.pk])).status_code == 404
    r = other.get(reverse("outreach:sessions"))
    assert [s.pk for s in r.context["page"].object_list] == [td.pk]
    # a filter naming another subtree is dropped, never widens the reach
    r = other.get(reverse("outreach:sessions"), {"unit": world.ben_thanh.pk})
    assert [s.pk for s in r.context["page"].object_list] == [td.pk]
    # observers and leaders above read but do not correct
    leader = login(world.city_leader)
    assert leader.get(reverse("outreach:session", args=[bt.pk])).status_code == 200
    assert leader.get(reverse("outreach:session_edit", args=[bt.pk])).status_code == 404
    export = login(world.other_ward_officer).get(reverse("outreach:sessions_export"))
    assert export.status_code == 200


def test_the_session_list_searches_filters_and_pages(
    world, study, sessions, login, django_assert_max_num_queries
):
    client = login(world.city_leader)
    url = reverse("outreach:sessions")
    with django_assert_max_num_queries(10):
        r = client.get(url)
    assert r.context["page"].paginator.count == 3
    r = client.get(url, {"unit": world.ben_thanh.pk})
    assert r.context["page"].paginator.count == 2
    r = client.get(url, {"q": "ben thanh"})
    assert r.context["page"].paginator.count == 1
    r = client.get(url, {"q": "ben thanh", "sort": "unit"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode()
    r = client.get(url, {"form": "bogus", "sort": "created_by__password", "unit": "x"})
    assert r.status_code == 200 and r.context["page"].paginator.count == 3


def test_correcting_and_deleting_a_session_keeps_the_counters_and_the_history(
    world, study, sessions, login
):
    bt = sessions[0]
    client = login(world.ward_officer)
    with at(TODAY):
        r = client.post(
            reverse("outreach:session_edit", args=[bt.pk]),
            {
                "documents": [study.cascade.chain.nq52.pk],
                "held_on": "15/07/2020",
                "form": "online",
                "location": "",
                "party_members": "1000",
                "public": "0",
            },
        )
    assert r.status_code == 302
    assert StudySession.objects.get(pk=bt.pk).party_members == 1000
    client = login(world.ward_officer)  # the session's clock went back to 2020: log in again
    r = client.post(reverse("outreach:session_delete", args=[bt.pk]), {"reason": ""})
    assert r.status_code == 400
    r = client.post(reverse("outreach:session_delete", args=[bt.pk]), {"reason": "Nhập trùng"})
    assert r.status_code == 302
    assert not StudySession.objects.filter(pk=bt.pk).exists()
    assert StudySession.history.filter(id=bt.pk, history_type="-").get().history_change_reason
    assert rollup.check() == []


def test_detail_shows_attendance_documents_and_history(world, study, sessions, login):
    r = login(world.ward_officer).get(reverse("outreach:session", args=[sessions[0].pk]))
    body = r.content.decode()
    assert "52-NQ/TW" in body and "800" in body and "Trần Thị Bình" in body


# --- public information ----------------------------------------------------------------------


def test_public_items_are_recorded_listed_and_scoped(world, study, login):
    client = login(world.ward_officer)
    r = client.post(
        reverse("outreach:public_create"),
        {
            "unit": world.ben_thanh.pk,
            "kind": "broadcast",
            "title": "Phát thanh về Nghị quyết 52",
            "held_on": "10/08/2020",
            "channel": "Đài truyền thanh phường",
            "audience": "3000",
        },
    )
    assert r.status_code == 302
    item = PublicOutreach.objects.get()
    r = client.post(
        reverse("outreach:public_create"),
        {"unit": world.ben_thanh.pk, "kind": "article", "title": "", "held_on": "01/01/2999"},
    )
    assert r.status_code == 400
    assert client.get(reverse("outreach:public")).context["page"].paginator.count == 1
    other = login(world.other_ward_officer)
    assert other.get(reverse("outreach:public_item", args=[item.pk])).status_code == 404
    assert other.get(reverse("outreach:public_edit", args=[item.pk])).status_code == 404
    assert other.get(reverse("outreach:public")).context["page"].paginator.count == 0
    r = other.post(
        reverse("outreach:public_create"),
        {"unit": world.ben_thanh.pk, "kind": "article", "title": "x", "held_on": "01/08/2020"},
    )
    assert r.status_code == 400  # not one of the units the officer acts for
    assert rollup.check() == []


# --- the inspection committee ---------------------------------------------------------------


def test_the_inspection_committee_reads_the_whole_subtree_but_records_nothing(
    world, study, sessions, login
):
    inspector = make_user("ubkt", unit=world.city, role=Membership.Role.INSPECTION)
    client = login(inspector)
    r = client.get(reverse("outreach:coverage_unit", args=[world.ben_thanh_cell.pk]))
    assert r.status_code == 200
    assert client.get(reverse("outreach:sessions")).context["page"].paginator.count == 3
    assert client.get(reverse("outreach:session", args=[sessions[1].pk])).status_code == 200
    assert client.get(reverse("outreach:session_create")).status_code == 404
    assert client.get(reverse("outreach:session_edit", args=[sessions[1].pk])).status_code == 404
    outreach_record(
        unit=world.tan_dinh, by=None, kind="event", title="Hội thi", held_on=TODAY, today=TODAY
    )
    assert client.get(reverse("outreach:public")).context["page"].paginator.count == 1
    ward_inspector = make_user(
        "ubkt.bt", unit=Unit.objects.get(pk=world.ben_thanh.pk), role="inspection"
    )
    r = login(ward_inspector).get(reverse("outreach:coverage_unit", args=[world.tan_dinh.pk]))
    assert r.status_code == 404

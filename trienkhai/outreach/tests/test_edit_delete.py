"""Correcting and deleting sessions and public items: versions, protected records, lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from trienkhai.core.errors import DomainError
from trienkhai.outreach import services
from trienkhai.outreach.models import PublicOutreach, StudySession
from trienkhai.outreach.services import outreach_record, outreach_update, session_update
from trienkhai.outreach.testing import at, build_study, purge_outreach, record
from trienkhai.tasks.testing import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(world):
    return build_study(world)


def _session_form(s: StudySession, **over) -> dict:
    data = {
        "documents": [d.pk for d in s.documents.all()],
        "held_on": f"{s.held_on:%d/%m/%Y}",
        "form": s.form,
        "location": s.location,
        "presenter": s.presenter,
        "minutes": s.minutes,
        "cadres": s.cadres,
        "party_members": s.party_members,
        "union_members": s.union_members,
        "association_members": s.association_members,
        "public": s.public,
        "version": s.version,
    }
    data.update(over)
    return data


def test_a_correction_on_an_older_copy_of_a_session_is_refused(world, study, login):
    s = record(study.study_bt, by=world.ward_officer, party_members=800)
    client = login(world.ward_officer)
    url = reverse("outreach:session_edit", args=[s.pk])
    assert f'name="version" value="{s.version}"' in client.get(url).content.decode()
    stale = _session_form(s, party_members=900)
    with at(TODAY):
        r = client.post(url, _session_form(s, party_members=850))
        assert r.status_code == 302
        r = client.post(url, stale)
    assert r.status_code == 400 and "Người khác đã sửa" in r.content.decode()
    s.refresh_from_db()
    assert (s.party_members, s.version) == (850, 2)


def test_a_script_without_a_version_still_corrects(world, study):
    s = record(study.study_bt, by=world.ward_officer, party_members=800)
    fields = {k: getattr(s, k) for k in services.SESSION_FIELDS}
    with at(TODAY):
        updated = session_update(
            session=s,
            by=world.ward_officer,
            documents=list(s.documents.all()),
            attendance={"party_members": 600},
            today=TODAY,
            **fields,
        )
        with pytest.raises(DomainError) as refused:
            session_update(
                session=s,
                by=world.ward_officer,
                documents=list(s.documents.all()),
                attendance={"party_members": 500},
                today=TODAY,
                version=1,
                **fields,
            )
    assert updated.version == 2 and refused.value.code == "stale"


def test_a_correction_on_an_older_copy_of_an_item_is_refused(world, study, login):
    with at(TODAY):
        item = outreach_record(
            unit=world.ben_thanh,
            by=world.ward_officer,
            kind="article",
            title="Bài viết về Nghị quyết 52",
            held_on=dt.date(2020, 8, 1),
        )
        fields = {
            "kind": "article",
            "title": "Bài viết mới",
            "held_on": dt.date(2020, 8, 1),
            "channel": "",
            "audience": None,
            "summary": "",
        }
        outreach_update(item=item, by=world.ward_officer, version=1, **fields)
        with pytest.raises(DomainError) as refused:
            outreach_update(item=item, by=world.ward_officer, version=1, **fields)
    assert refused.value.code == "stale"
    client = login(world.ward_officer)
    url = reverse("outreach:public_edit", args=[item.pk])
    with at(TODAY):
        r = client.post(
            url, {"kind": "event", "title": "Cũ", "held_on": "01/08/2020", "version": "1"}
        )
    assert r.status_code == 400 and "Người khác đã sửa" in r.content.decode()
    assert PublicOutreach.objects.get(pk=item.pk).title == "Bài viết mới"


def test_sessions_and_items_protect_their_unit_assignment_and_topic(world, study):
    record(study.study_td, by=world.other_ward_officer, party_members=200)
    with at(TODAY):
        outreach_record(
            unit=world.ben_thanh_cell,
            by=None,
            kind="event",
            title="Hội thi",
            held_on=dt.date(2020, 8, 1),
        )
    with pytest.raises(ProtectedError):
        world.tan_dinh.delete()
    with pytest.raises(ProtectedError):
        study.study_td.delete()
    with pytest.raises(ProtectedError):
        study.topic.delete()
    with pytest.raises(ProtectedError):
        world.ben_thanh_cell.delete()
    purge_outreach()
    assert not StudySession.objects.exists() and not PublicOutreach.objects.exists()


def test_a_delete_refused_by_a_protected_record_is_a_message(world, study, monkeypatch):
    """Nothing protects a session today; if a record ever does, the delete says so."""
    s = record(study.study_bt, by=world.ward_officer, party_members=800)

    def protected(self, *args, **kwargs):
        raise ProtectedError("protected", {s})

    monkeypatch.setattr(StudySession, "delete", protected)
    with pytest.raises(DomainError) as refused:
        services.session_delete(session=s, by=world.ward_officer, reason="Nhầm")
    assert refused.value.code == "protected"
    assert "Không thể xóa buổi học tập, quán triệt này" in refused.value.message


def test_the_lists_ignore_a_sort_or_page_outside_the_allow_list(world, study, login):
    for day in (dt.date(2020, 7, 1), dt.date(2020, 7, 20)):
        record(study.study_bt, by=world.ward_officer, day=day, party_members=10)
    client = login(world.ward_officer)
    for params in ({"sort": "created_by__password"}, {"sort": "-held_on", "page": "x"}):
        r = client.get(reverse("outreach:sessions"), params)
        assert r.status_code == 200
        assert [s.held_on.day for s in r.context["page"].object_list] == [20, 1]
    r = client.get(reverse("outreach:sessions"), {"sort": "held_on"})
    assert [s.held_on.day for s in r.context["page"].object_list] == [1, 20]
    r = client.get(reverse("outreach:public"), {"sort": "nope", "page": "999"})
    assert r.status_code == 200 and r.context["page"].number == 1

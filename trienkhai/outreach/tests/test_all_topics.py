"""Coverage of every topic together: capped per unit across topics, scoped, exported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from trienkhai.accounts.models import AuditEvent
from trienkhai.outreach import rollup
from trienkhai.outreach.selectors import all_topics, topic_choices, units_without_any_session
from trienkhai.outreach.testing import at, build_study, record
from trienkhai.tasks.models import Task
from trienkhai.tasks.services import target_add, task_create
from trienkhai.tasks.testing import TODAY
from trienkhai.units.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(world):
    return build_study(world)


@pytest.fixture
def two_topics(world, study):
    """Resolution 52 (the cascade's study task) and a second topic the City gave Bến Thành.

    Bến Thành (1,200 party members) records 800 on the first and 700 on the second: 1,500
    attendances, 1,200 people at most. Its cell records 30 of 40, Tân Định 200 of 600.
    """
    with at(dt.date(2020, 6, 1)):
        second = task_create(
            issuer=world.city,
            by=world.city_leader,
            title="Học tập chuyên đề chuyển đổi số",
            kind=Task.Kind.STUDY,
            source_document=study.cascade.chain.nq52,
            due_date=dt.date(2020, 12, 31),
        )
        target_add(task=second, by=world.city_leader, mode="units", units=[world.ben_thanh])
    record(study.study_bt, by=world.ward_officer, party_members=800, public=50)
    record(second.assignments.get(), by=world.ward_officer, party_members=700, public=70)
    record(study.study_cell, party_members=30)
    record(study.study_td, by=world.other_ward_officer, party_members=200)
    return second


def test_a_person_is_counted_once_across_topics(world, study, two_topics):
    a = all_topics(world.city, topic_choices(world.city))
    c = a.counts
    assert c.covered["party_members"] == 1200 + 30 + 200  # Bến Thành capped at its headcount
    assert c.attended["party_members"] == 800 + 700 + 30 + 200
    assert c.headcount["party_members"] == 1200 + 40 + 600
    assert c.attended["public"] == 120 and c.sessions == 4
    by_topic = {t.pk: counts for t, counts in a.topics}
    assert by_topic[study.topic.pk].covered["party_members"] == 800 + 30 + 200
    assert by_topic[two_topics.pk].covered["party_members"] == 700
    ben_thanh = next(r for r in a.children if r.unit == world.ben_thanh)
    assert ben_thanh.counts.covered["party_members"] == 1200 + 30
    assert ben_thanh.counts.held == 2 and ben_thanh.counts.without == 0
    # the figures add up: the children's covered people make the total
    assert c.covered == {
        g: sum(r.counts.covered[g] for r in a.children) + (a.own.counts.covered[g] if a.own else 0)
        for g in c.covered
    }


def test_dissolved_units_and_units_without_people_are_not_counted(world, study, two_topics):
    idle = unit_create(parent=world.city, name="Đảng ủy phường Đa Kao", kind="party_committee")
    unit_create(parent=world.city, name="Đảng ủy phường Cầu Kho", kind="party_committee", cadres=7)
    without = list(units_without_any_session(world.city))
    assert [u.name for u in without if u.name.endswith("Cầu Kho")] == ["Đảng ủy phường Cầu Kho"]
    assert idle not in without  # no people, nothing to study
    a = all_topics(world.city, [])
    assert a.counts.without == len(without) and a.topics == []
    # the counters agree with the sessions (nothing was left behind)
    assert rollup.check() == []


def test_the_page_explains_the_rule_and_links_both_ways(world, study, two_topics, login):
    client = login(world.city_leader)
    with at(TODAY):
        page = client.get(reverse("outreach:coverage_unit", args=[world.city.pk]))
        r = client.get(reverse("outreach:coverage_all", args=[world.city.pk]))
    all_url = reverse("outreach:coverage_all", args=[world.city.pk])
    assert all_url in page.content.decode()
    assert r.status_code == 200
    body = r.content.decode()
    assert "chỉ được tính tối đa bằng số người của đơn vị" in body  # the rule, in Vietnamese
    assert "Học tập chuyên đề chuyển đổi số" in body and "Đảng ủy phường Tân Định" in body
    assert reverse("outreach:coverage_unit", args=[world.city.pk]) in body
    assert r.context["counts"].covered["party_members"] == 1430


def test_the_page_is_scoped(world, study, two_topics, login):
    client = login(world.ward_officer)
    for unit in (world.city, world.tan_dinh):
        assert client.get(reverse("outreach:coverage_all", args=[unit.pk])).status_code == 404
        url = reverse("outreach:coverage_all_export", args=[unit.pk])
        assert client.get(url).status_code == 404
    r = client.get(reverse("outreach:coverage_all", args=[world.ben_thanh.pk]))
    assert r.status_code == 200
    assert r.context["counts"].covered["party_members"] == 1200 + 30
    assert "Đảng ủy phường Tân Định" not in r.content.decode()


def test_the_export_is_a_workbook_and_is_audited(world, study, two_topics, login):
    import openpyxl

    r = login(world.city_leader).get(reverse("outreach:coverage_all_export", args=[world.city.pk]))
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert len(book.sheetnames) == 3
    summary = list(book.worksheets[0].values)
    party = next(row for row in summary if row[0] == "Đảng viên")
    assert party[1:3] == (1840, 1430)
    topics = [row[0] for row in book.worksheets[2].values][1:]
    assert "Học tập chuyên đề chuyển đổi số" in topics
    assert AuditEvent.objects.filter(kind="export", detail__what="coverage_all").exists()


def test_the_all_topics_page_costs_the_same_queries_for_more_units(
    world, study, two_topics, login, django_assert_max_num_queries
):
    unit_create(parent=world.city, name="Đảng ủy phường Đa Kao", kind="party_committee", cadres=9)
    client = login(world.city_leader)
    url = reverse("outreach:coverage_all", args=[world.city.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for i in range(20):
        unit_create(parent=world.city, name=f"Đảng ủy phường {i}", kind="party_committee", cadres=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(url)
    assert r.context["counts"].without >= 20

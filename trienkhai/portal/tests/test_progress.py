"""The public progress page: counts of public tasks by unit, and nothing else leaks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from trienkhai.documents.models import Document
from trienkhai.portal.progress import directive_progress
from trienkhai.portal.services import article_create, article_publish
from trienkhai.tasks.testing import TODAY, build_cascade

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(portal):
    # The City letter is made public: its public task ("build your plan") gets a page.
    Document.objects.filter(pk=portal.chain.letter.pk).update(visibility="public")
    c = build_cascade(portal.world, portal.chain)
    return c


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, 0), tick=False)


def _page(client, portal) -> str:
    r = client.get(reverse("portal:progress", args=[portal.chain.letter.pk]))
    assert r.status_code == 200
    return r.content.decode()


def test_it_counts_the_public_task_by_unit(client, portal, cascade):
    with _at(TODAY):
        sections = directive_progress(portal.chain.letter)
    assert len(sections) == 1
    s = sections[0]
    assert s.issuer == portal.world.city
    assert [t.task for t in s.tasks] == [cascade.plan]  # the study task is not public
    rows = {u.unit.name: u.bar.counts for u in s.units}
    assert rows["Đảng ủy phường Tân Định"].done_on_time == 1
    assert rows["Đảng ủy phường Bến Thành"].in_progress == 1
    assert s.total.counts.total == sum(c.total for c in rows.values())


def test_an_open_assignment_past_its_deadline_counts_as_overdue_before_the_sweep(
    client, portal, cascade
):
    with _at(dt.date(2020, 9, 5)):
        (s,) = directive_progress(portal.chain.letter)
        rows = {u.unit.name: u.bar.counts for u in s.units}
        assert rows["Đảng ủy phường Bến Thành"].overdue == 1
        assert s.tasks[0].bar.counts.overdue == 1
        assert rows["Đảng ủy phường Tân Định"].done_on_time == 1


def test_nothing_internal_reaches_the_page(client, portal, cascade):
    with _at(TODAY):
        html = _page(client, portal)
    assert "Xây dựng kế hoạch, lộ trình thực hiện Nghị quyết 52-NQ/TW" in html
    assert "Đảng ủy phường Bến Thành" in html
    leaks = [
        "Đang dự thảo kế hoạch",  # progress text
        "Đã tổ chức hội nghị cho cán bộ chủ chốt",
        "Chờ tài liệu hướng dẫn",  # a reason for a delay
        "Trần Thị Bình",  # people
        "Nguyễn Văn An",
        "Lê Văn Cường",
        "canbo.benthanh",
        "Tổ chức học tập, quán triệt",  # a task not marked public
        "Chi bộ xây dựng kế hoạch",  # a unit's own breakdown
        "Chi bộ khu phố 1",
        "15-KH/ĐU",  # internal output documents
        "Kế hoạch thực hiện Chương trình hành động của phường",
        "Đánh giá kết quả thực hiện",
        "40%",
    ]
    for text in leaks:
        assert text not in html, text


def test_the_page_reads_in_plain_language_with_a_chart(client, portal, cascade):
    with _at(TODAY):
        html = _page(client, portal)
    assert "đã hoàn thành đúng hạn" in html
    assert '<svg class="bar"' in html and 'role="img"' in html


def test_internal_documents_and_documents_without_public_tasks_have_no_page(
    client, portal, cascade
):
    program = portal.chain.program  # internal
    assert client.get(reverse("portal:progress", args=[program.pk])).status_code == 404
    # public, but no public task comes from it
    assert client.get(reverse("portal:progress", args=[portal.chain.nq52.pk])).status_code == 404


def test_the_index_lists_directives_with_public_tasks(client, portal, cascade):
    html = client.get(reverse("portal:progress_index")).content.decode()
    assert "2156-CV/TU" in html and "30-CTr/TU" not in html


def test_a_related_article_links_to_the_progress_page(client, portal, cascade):
    a = article_publish(
        article=article_create(
            owner=portal.world.city,
            by=portal.editor,
            title="Các phường xây dựng kế hoạch thực hiện Nghị quyết 52",
            lead="Tiến độ",
            tasks=[cascade.plan],
        ),
        by=portal.editor,
    )
    html = client.get(a.get_absolute_url()).content.decode()
    assert reverse("portal:progress", args=[portal.chain.letter.pk]) in html


def test_the_progress_page_takes_a_constant_number_of_queries(
    client, portal, cascade, django_assert_max_num_queries
):
    with _at(TODAY), django_assert_max_num_queries(14):
        _page(client, portal)

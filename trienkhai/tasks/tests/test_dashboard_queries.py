"""The dashboard costs the same number of queries for 3 children or 63, 6 assignments or 70."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trienkhai.tasks.models import Task
from trienkhai.tasks.services import assignment_complete, assignment_update, target_add, task_create
from trienkhai.tasks.testing import build_cascade
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
MAX_QUERIES = 12


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0), tick=False)


def add_wards(world, n: int = 60) -> list[Unit]:
    """``n`` more wards under the City, each with an assignment: some done, some late."""
    wards = [
        unit_create(
            parent=world.city, name=f"Đảng ủy phường {i:02d}", kind=Unit.Kind.PARTY_COMMITTEE
        )
        for i in range(n)
    ]
    with _at(dt.date(2020, 7, 1)):
        task = task_create(
            issuer=world.city,
            by=world.city_leader,
            title="Sơ kết công tác chuyển đổi số",
            kind=Task.Kind.REPORT,
            due_date=dt.date(2020, 8, 1),
        )
        target_add(task=task, by=world.city_leader, mode="units", units=wards)
    assignments = list(task.assignments.order_by("unit__path"))
    with _at(dt.date(2020, 7, 20)):
        for a in assignments[:10]:
            assignment_complete(assignment=a, by=None)
        for a in assignments[10:30]:
            assignment_update(assignment=a, by=None, text="Đang thực hiện", progress=50)
    return wards


def pages(world) -> list[tuple[str, dict, dict]]:
    city = world.city.pk
    return [
        (reverse("tasks:dashboard"), {}, {}),
        (reverse("tasks:dashboard_unit", args=[city]), {"kind": "plan", "sort": "-overdue"}, {}),
        (reverse("tasks:dashboard_unit", args=[city]), {"task": "1", "opage": "2"}, {}),
        (reverse("tasks:dashboard_children", args=[city]), {}, HTMX),
        (reverse("tasks:dashboard_children", args=[city]), {"sort": "update_rate"}, {}),
        (reverse("tasks:dashboard_export", args=[city]), {"starred": "1"}, {}),
    ]


def count(client, url, params, extra) -> int:
    client.get(url, params, **extra)  # the first request of a session writes to it
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params, **extra)
        if hasattr(r, "streaming_content"):
            b"".join(r.streaming_content)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_children_or_assignments(
    world, login, django_assert_max_num_queries
):
    build_cascade(world)
    client = login(world.city_leader)
    with _at(dt.date(2020, 8, 25)):
        small = [count(client, *page) for page in pages(world)]
        add_wards(world)
        big = [count(client, *page) for page in pages(world)]
        assert big == small, (small, big)
        with django_assert_max_num_queries(MAX_QUERIES):
            r = client.get(reverse("tasks:dashboard_unit", args=[world.city.pk]))
        html = r.content.decode()
        # 63 children, 50 a page, by name
        assert "Đảng ủy phường 49" in html and "Đảng ủy phường 50" not in html
        assert 'class="pagination"' in html


def test_the_overdue_list_is_never_counted_with_count_star(world, login):
    build_cascade(world)
    add_wards(world)
    client = login(world.city_leader)
    url = reverse("tasks:dashboard_unit", args=[world.city.pk])
    with _at(dt.date(2020, 8, 25)):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, {"opage": "3"})
    assert not [q["sql"] for q in ctx.captured_queries if "__count" in q["sql"]]
    html = r.content.decode()
    # 3 of the cascade + 50 wards that never finished = 53 overdue: page 3 holds 13 rows.
    section = html.split('id="overdue"')[1].split("</section>")[0]
    assert section.count("<tr>") == 1 + 13
    assert r.context["overdue_page"].paginator.num_pages == 3


def test_the_overdue_pages_and_the_child_pages_keep_each_other(world, login):
    build_cascade(world)
    add_wards(world)
    client = login(world.city_leader)
    with _at(dt.date(2020, 8, 25)):
        html = client.get(
            reverse("tasks:dashboard_unit", args=[world.city.pk]),
            {"kind": "report", "page": "2", "sort": "-total"},
        ).text
    # the next page of overdue work keeps the filter, the order and the page of units
    assert "?kind=report&amp;sort=-total&amp;page=2&amp;opage=2#overdue" in html
    # the previous page of units keeps the filter and the order
    assert "?kind=report&amp;sort=-total&amp;page=1#units" in html

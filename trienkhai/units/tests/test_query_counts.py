"""The tree pages use a constant number of queries, whatever the size of the tree."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trienkhai.units.models import Unit

HTMX = {"HTTP_HX_REQUEST": "true"}


def grow(parent: Unit, n: int, prefix: str) -> None:
    data = [
        {
            "data": {"name": f"{prefix} {i}", "kind": "grassroots", "search_text": f"{prefix} {i}"},
            "children": [{"data": {"name": f"{prefix} {i}.1", "kind": "grassroots"}}],
        }
        for i in range(n)
    ]
    Unit.objects.load_bulk(data, parent=Unit.objects.get(pk=parent.pk), bulk_create=True)


def count_queries(client, url, params=None, **extra) -> int:
    client.get(url, params or {}, **extra)  # the first request of a session writes to it
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {}, **extra)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_tree_fragment_detail_and_search_use_a_constant_number_of_queries(world, login):
    client = login(world.city_leader)
    pages = [
        (reverse("units:tree"), {}, {}),
        (reverse("units:children", args=[world.tan_dinh.pk]), {}, HTMX),
        (reverse("units:detail", args=[world.tan_dinh.pk]), {"order": "name"}, {}),
        (reverse("units:tree"), {"q": "chi bo"}, {}),
    ]
    small = [count_queries(client, url, p, **x) for url, p, x in pages]
    grow(world.tan_dinh, 150, "chi bo")
    big = [count_queries(client, url, p, **x) for url, p, x in pages]
    assert big == small
    assert max(big) <= 12


def test_search_breadcrumbs_are_loaded_in_one_query(world, login, django_assert_max_num_queries):
    grow(world.ben_thanh_cell, 60, "to dang")
    client = login(world.ward_officer)
    client.get(reverse("units:tree"))
    with django_assert_max_num_queries(7):
        r = client.get(reverse("units:tree"), {"q": "to dang"})
    assert "Đảng ủy phường Bến Thành" in r.text

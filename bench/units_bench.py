"""Benchmarks of the organization tree (called by bench/__main__.py inside a test database).

Nothing is printed here: each function returns its figures.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from bench.sessions import login_verified
from trienkhai.vntext.text import fold

PROVINCES = 34
COMMUNES = 3_321
BIG_NODE_CHILDREN = 10_000  # a children list as long as a big city's grassroots organizations
REQUESTS = 7
# Pages render {% static %}: do not depend on a collectstatic manifest during the bench.
_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _node(name: str, kind: str, children: list | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"data": {"name": name, "kind": kind, "search_text": fold(name)}}
    if children:
        node["children"] = children
    return node


def build_tree(n_units: int = 100_000) -> Any:
    """Root → 34 provinces → 3,321 communes → grassroots, one commune with 10,000 of them."""
    from trienkhai.units.models import Unit

    grassroots = max(0, n_units - 1 - PROVINCES - COMMUNES)
    big = min(BIG_NODE_CHILDREN, grassroots)
    per_commune, extra = divmod(grassroots - big, COMMUNES - 1)
    communes: list[list[dict]] = [[] for _ in range(PROVINCES)]
    for c in range(COMMUNES):
        count = big if c == 0 else per_commune + (1 if c <= extra else 0)
        cells = [_node(f"Chi bộ {c}-{g}", "grassroots") for g in range(count)]
        communes[c % PROVINCES].append(_node(f"Đảng ủy xã {c}", "party_committee", cells))
    provinces = [
        _node(f"Đảng bộ tỉnh {p}", "party_committee", communes[p]) for p in range(PROVINCES)
    ]
    Unit.objects.load_bulk(
        [_node("Bench Việt Nam", "external", provinces)], parent=None, bulk_create=True
    )
    return Unit.objects.filter(depth=1, name="Bench Việt Nam").order_by("-path").first()


def _measure(client: Client, url: str, **extra: Any) -> tuple[float, int]:
    client.get(url, **extra)  # warm up: the first request of a session writes to it
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url, **extra)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **extra)
    return statistics.median(timings), len(ctx.captured_queries)


def bench_tree_page(n_units: int = 100_000) -> dict:
    """Median time of the tree page and of children fragments of a 100,000-unit tree.

    ``tree_page_ms`` is the worst median among: the tree page, the root's children, the
    first and a deep page of a node with 10,000 children. ``tree_page_queries`` is the
    largest query count among them (constant whatever the tree size).
    """
    from trienkhai.accounts.models import Membership, User
    from trienkhai.units.models import Unit

    root = build_tree(n_units)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE units_unit")
    big = Unit.objects.children_of(root).first()
    big = Unit.objects.children_of(big).order_by("-numchild").first()
    user = User.objects.create_user(username="bench-leader")
    Membership.objects.create(user=user, unit=root, role=Membership.Role.LEADER)
    client = Client()
    login_verified(client, user)
    htmx = {"HTTP_HX_REQUEST": "true"}
    deep = max(1, big.numchild // 100 - 1)
    pages = [
        (reverse("units:tree"), {}),
        (reverse("units:children", args=[root.pk]), htmx),
        (reverse("units:children", args=[big.pk]), htmx),
        (f"{reverse('units:children', args=[big.pk])}?page={deep}", htmx),
    ]
    with override_settings(STORAGES=_STATIC, SECURE_SSL_REDIRECT=False):
        results = [_measure(client, url, **extra) for url, extra in pages]
    return {
        "tree_page_ms": round(max(ms for ms, _ in results), 1),
        "tree_page_queries": max(q for _, q in results),
    }


def bench_import_divisions() -> dict:
    """Seconds to load the 34 provinces and 3,321 communes into an empty 'Việt Nam' root."""
    from trienkhai.units.divisions import ROOT_CODE
    from trienkhai.units.models import Unit
    from trienkhai.units.services import divisions_import

    old = Unit.objects.filter(code=ROOT_CODE).first()
    if old is not None:
        Unit.objects.subtree_of(old).delete()
    start = time.perf_counter()
    divisions_import()
    return {"import_divisions_s": round(time.perf_counter() - start, 2)}

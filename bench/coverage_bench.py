"""Study coverage at national scale (called by bench/__main__.py inside a test database).

``build_coverage`` loads the country's tree with ``tasks_bench.build_tree`` (60,000 units:
root, 34 provinces, 3,321 communes, grassroots), gives every unit below the root headcounts,
one study task of the root assigned to every unit, and ~500,000 study sessions over the last
eighteen months (some units none, attendance within each unit's headcount, so the cap bites
where a unit studied several times). Rows go in with COPY (PostgreSQL) or ``executemany``
(SQLite) through ``tasks_bench.insert_rows``; the coverage counters are the recount of
``outreach.rollup.recount`` (the same function ``coverage_check`` uses), written the same
fast way, then planner statistics are refreshed.

``bench_coverage`` measures the coverage page of the root (p95 of 25 requests after 3
warm-ups) for a leader of the root: ``coverage_root_ms``, the figure of the issue (target
200 ms), which ``make bench`` measures on PostgreSQL.
"""

# Only table and column names from the models are interpolated into SQL here.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from bench.sessions import login_verified
from bench.tasks_bench import (
    ASSIGNMENT_COLUMNS,
    _ForeignKeyChecksOff,
    _Formats,
    _IndexesDropped,
    _reset_sequences,
    analyze,
    build_tree,
    insert_rows,
    page_p95_ms,
)

SEED = 52
UNITS = 60_000
SESSIONS = 500_000
MONTHS = 18
WITHOUT = 0.12  # share of units below the root that have held no session

SESSION_COLUMNS = (
    "id",
    "unit_id",
    "assignment_id",
    "topic_id",
    "held_on",
    "form",
    "location",
    "presenter",
    "cadres",
    "party_members",
    "union_members",
    "association_members",
    "public",
    "minutes",
    "search_text",
    "created_by_id",
    "created",
)


def _log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


@dataclass
class Coverage:
    today: dt.date
    root_id: int
    big_id: int
    topic_id: int
    units: int
    sessions: int
    timings: dict[str, float] = field(default_factory=dict)


def _headcounts() -> None:
    """Headcounts by level, deterministic from the unit's id (one UPDATE per level)."""
    from trienkhai.units.models import Unit

    table = connection.ops.quote_name(Unit._meta.db_table)
    # "%%" is the modulo operator once the driver has read the parameters
    by_depth = {
        2: "cadres = 300 + id %% 300, party_members = 5000 + id %% 5000",
        3: (
            "cadres = 30 + id %% 120, party_members = 300 + (id * 7) %% 2700,"
            " union_members = 200 + (id * 11) %% 3000,"
            " association_members = 1000 + (id * 13) %% 9000"
        ),
        4: "party_members = 15 + (id * 3) %% 46, cadres = id %% 4",
    }
    with connection.cursor() as cursor:
        for depth, assignments in by_depth.items():
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE depth = %s", [depth])


def build_coverage(
    *, units: int = UNITS, sessions: int = SESSIONS, today: dt.date | None = None, seed: int = SEED
) -> Coverage:
    """Load the tree, the study task and its assignments, the sessions and the counters."""
    from trienkhai.accounts.models import Membership, User
    from trienkhai.outreach import rollup
    from trienkhai.outreach.models import (
        HEADCOUNT_GROUPS,
        MONTH_COUNTERS,
        OUTREACH_COUNTERS,
        STUDY_COUNTERS,
        StudySession,
        UnitHeadcount,
        UnitOutreachRollup,
        UnitStudyMonth,
        UnitStudyRollup,
    )
    from trienkhai.tasks.models import Assignment, Target, Task
    from trienkhai.units.models import Unit

    today = today or timezone.localdate()
    rng = random.Random(seed)
    fmt = _Formats()
    timings: dict[str, float] = {}

    def step(label: str, start: float) -> None:
        timings[label] = time.perf_counter() - start
        _log(f"setup {label} on {connection.vendor}: {timings[label]:.1f}s")

    start = time.perf_counter()
    with transaction.atomic():
        tree = build_tree(units)
        _headcounts()
        leader = User.objects.create(username="bench-leader", full_name="Lãnh đạo", password="!")
        Membership.objects.create(user=leader, unit_id=tree.root, role=Membership.Role.LEADER)
        first = today - dt.timedelta(days=30 * MONTHS)
        task = Task(
            title="Tổ chức học tập, quán triệt Nghị quyết 57-NQ/TW",
            issuer_id=tree.root,
            kind=Task.Kind.STUDY,
            due_date=today + dt.timedelta(days=30),
        )
        task.refresh_search_text()
        task.save()
        target = Target.objects.create(task=task, mode=Target.Mode.RULE, under_id=tree.root)
    step("units", start)

    start = time.perf_counter()
    below = [u for u in tree.chain if u != tree.root]
    created = fmt.moment(first, 480)
    due = fmt.day(task.due_date)
    a_table = Assignment._meta.db_table
    s_table = StudySession._meta.db_table
    with transaction.atomic(), _ForeignKeyChecksOff(), _IndexesDropped(a_table, s_table):
        insert_rows(
            a_table,
            ASSIGNMENT_COLUMNS,
            (
                (i, task.pk, u, tree.paths[u], target.pk, "lead", tree.root, "", due)
                + ("in_progress", "in_progress", 50, None, "", None, None, None, 2, created)
                for i, u in enumerate(below, start=1)
            ),
        )
        assignment_of = {u: i for i, u in enumerate(below, start=1)}
        hc = {
            pk: values
            for pk, *values in Unit.objects.order_by().values_list("pk", *HEADCOUNT_GROUPS)
        }
        studying = [u for u in below if rng.random() >= WITHOUT and any(hc[u])]
        per_unit = sessions / max(1, len(studying))
        span = (today - first).days
        forms = ("in_person", "in_person", "online", "mixed")

        def rows() -> Iterator[tuple]:
            pk = 0
            carry = 0.0
            for u in studying:
                carry += per_unit
                n = int(carry)
                carry -= n
                h = hc[u]
                for _k in range(n):
                    pk += 1
                    share = 0.2 + rng.random() * 0.5
                    day = first + dt.timedelta(days=int(rng.random() * span))
                    yield (
                        pk,
                        u,
                        assignment_of[u],
                        task.pk,
                        fmt.day(day),
                        forms[pk % 4],
                        "Hội trường",
                        "Báo cáo viên",
                        *(int(x * share) for x in h),
                        int(rng.random() * 200),
                        "",
                        "",
                        None,
                        fmt.moment(day, 600),
                    )

        n_sessions = insert_rows(s_table, SESSION_COLUMNS, rows())
        _reset_sequences(Assignment, StudySession)
    step("sessions", start)

    start = time.perf_counter()
    per_unit_rows, per_topic, per_month, states = rollup.recount(None)
    step("recount", start)
    start = time.perf_counter()
    tables = [m._meta.db_table for m in (UnitOutreachRollup, UnitStudyRollup, UnitStudyMonth)]
    with transaction.atomic(), _IndexesDropped(*tables, UnitHeadcount._meta.db_table):
        insert_rows(
            UnitHeadcount._meta.db_table,
            ("unit_id", "chain", "counted", *HEADCOUNT_GROUPS),
            (
                (pk, ",".join(map(str, chain)), counted, *h)
                for pk, (chain, counted, h) in states.items()
            ),
        )
        insert_rows(
            tables[0],
            ("id", "unit_id", *OUTREACH_COUNTERS),
            (
                (i, k, *(v.get(c, 0) for c in OUTREACH_COUNTERS))
                for i, (k, v) in enumerate(sorted(per_unit_rows.items()), start=1)
            ),
        )
        insert_rows(
            tables[1],
            ("id", "unit_id", "topic_id", *STUDY_COUNTERS),
            (
                (i, *k, *(v.get(c, 0) for c in STUDY_COUNTERS))
                for i, (k, v) in enumerate(sorted(per_topic.items()), start=1)
            ),
        )
        insert_rows(
            tables[2],
            ("id", "unit_id", "topic_id", "month", *MONTH_COUNTERS),
            (
                (i, k[0], k[1], fmt.day(k[2]), *(v.get(c, 0) for c in MONTH_COUNTERS))
                for i, (k, v) in enumerate(sorted(per_month.items()), start=1)
            ),
        )
        _reset_sequences(UnitOutreachRollup, UnitStudyRollup, UnitStudyMonth)
    step("counters", start)
    start = time.perf_counter()
    analyze()
    step("analyze", start)
    _log(f"{tree.size:,} units, {n_sessions:,} study sessions on {connection.vendor}")
    return Coverage(
        today=today,
        root_id=tree.root,
        big_id=tree.big,
        topic_id=task.pk,
        units=tree.size,
        sessions=n_sessions,
        timings=timings,
    )


def bench_coverage() -> Iterator[tuple[str, float]]:
    """The coverage page of the root over the whole country, for a leader of the root."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from bench.tasks_bench import _STATIC
    from trienkhai.accounts.models import User

    cov = build_coverage()
    _log(f"coverage setup on {connection.vendor}: {sum(cov.timings.values()):.1f}s")
    client = Client()
    login_verified(client, User.objects.get(username="bench-leader"))
    root = reverse("outreach:coverage_unit", args=[cov.root_id]) + f"?topic={cov.topic_id}"
    province = reverse("outreach:coverage_unit", args=[cov.big_id]) + f"?topic={cov.topic_id}"
    with override_settings(STORAGES=_STATIC, SECURE_SSL_REDIRECT=False):
        root_ms, queries = page_p95_ms(client, root)
        province_ms, _q = page_p95_ms(client, province)
    _log(f"coverage page of the big province: p95 {province_ms:.1f} ms (not a figure)")
    _log(f"coverage page of the root: {queries} queries")
    yield "coverage_root_ms", round(root_ms, 1)

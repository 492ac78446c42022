"""National-scale benchmarks of the cascade (called by bench/__main__.py inside a test database).

``build_national`` loads a country: the root, 34 provinces and 3,321 communes (the real
divisions), grassroots organizations under the communes (60,000 units in all; Hồ Chí Minh City
holds 10,200 of them), then ~1,000,000 assignments: a quarterly report of every committee, 20
national tasks (most to every unit, some to committees only), provincial and commune subtasks,
with deadlines over the last seven years and statuses of every kind. Rows go in with COPY
(PostgreSQL) or ``executemany`` (SQLite), secondary indexes built afterwards — the ORM would
take minutes — with their bucket from ``models.bucket_for`` on the real today. The counters are
summed while the rows are made (``rollup.rebuild()`` recounts the same numbers but takes 4–5
minutes at this scale; ``rebuild=True`` uses it), then planner statistics are refreshed. Bulk
rows get no simple_history rows; the tests check the data at a small scale
(``rollup.check() == []``, every key valid, every bucket right).

``bench_national`` measures, on the database it runs on, the dashboard of the root and of a
province, the daily reminders over everything and the cascade of a rule to 10,000 units.
Nothing is printed on stdout here: setup timings and details go to stderr, figures are yielded.
"""

# Only table and column names from the models are interpolated into SQL here.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import add

from django.db import connection, transaction
from django.utils import timezone

from bench.sessions import login_verified
from trienkhai.vntext.text import fold

SEED = 2025
UNITS = 60_000
ASSIGNMENTS = 1_000_000
BIG_PROVINCE = "79"  # Hồ Chí Minh City: 168 communes
BIG_GRASSROOTS = 10_200  # enough for a 10,000-unit cascade under one province
NATIONAL_TASKS = 20
YEARS = 6.9  # deadlines from ~2020 to a few weeks after today
CHUNK = 20_000

NATIONAL_TITLES = [
    "Quán triệt, triển khai thực hiện Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học,"
    " công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    "Xây dựng kế hoạch thực hiện Nghị quyết số 18-NQ/TW về tiếp tục đổi mới, sắp xếp tổ chức"
    " bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả",
    "Tổ chức học tập, quán triệt Nghị quyết Hội nghị lần thứ mười Ban Chấp hành Trung ương",
    "Sơ kết 5 năm thực hiện Chỉ thị số 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng,"
    " đạo đức, phong cách Hồ Chí Minh",
    "Rà soát, sắp xếp trụ sở, cơ sở nhà, đất dôi dư sau sắp xếp đơn vị hành chính",
    "Kiểm tra, giám sát việc thực hiện quy định về kê khai tài sản, thu nhập",
    "Triển khai Nghị quyết số 66-NQ/TW về đổi mới công tác xây dựng và thi hành pháp luật",
    "Xây dựng chương trình hành động thực hiện Nghị quyết số 68-NQ/TW về phát triển kinh tế"
    " tư nhân",
    "Báo cáo kết quả chuyển đổi số trong hoạt động của cơ quan đảng",
    "Tổng kết 10 năm thực hiện Chỉ thị số 36-CT/TW về công tác phòng, chống ma túy",
    "Tổ chức đại hội đảng bộ các cấp nhiệm kỳ 2025-2030",
    "Triển khai cuộc vận động Người Việt Nam ưu tiên dùng hàng Việt Nam",
    "Rà soát, bổ sung quy hoạch cán bộ lãnh đạo, quản lý các cấp",
    "Thực hiện Kết luận số 21-KL/TW về đẩy mạnh xây dựng, chỉnh đốn Đảng",
    "Xây dựng kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn",
    "Triển khai Nghị quyết số 29-NQ/TW về công nghiệp hóa, hiện đại hóa đất nước",
    "Báo cáo tình hình thực hiện Quy định số 144-QĐ/TW về chuẩn mực đạo đức cách mạng",
    "Tổ chức lấy ý kiến nhân dân về dự thảo văn kiện đại hội",
    "Thực hiện Chỉ thị số 35-CT/TW về đại hội đảng bộ các cấp",
    "Tuyên truyền kỷ niệm 80 năm Cách mạng Tháng Tám và Quốc khánh 2/9",
]
REASONS = [
    "Chờ hướng dẫn của cấp trên",
    "Thiếu kinh phí thực hiện",
    "Cán bộ phụ trách nghỉ ốm, chưa bố trí người thay thế",
    "Đang sắp xếp lại tổ chức bộ máy sau hợp nhất",
    "Ảnh hưởng của mưa bão, phải tập trung khắc phục hậu quả",
    "Số liệu của các chi bộ chưa đầy đủ",
]
GRASSROOTS_NAMES = ["Chi bộ khu phố", "Chi bộ ấp", "Chi bộ tổ dân phố", "Đảng bộ cơ sở", "Chi bộ"]


def _log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def _timer(timings: dict[str, float]):
    """``with step("units"):`` records and logs how long a setup step took."""

    @contextmanager
    def step(label: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        timings[label] = time.perf_counter() - start
        _log(f"setup {label} on {connection.vendor}: {timings[label]:.1f}s")

    return step


@dataclass
class National:
    """What ``build_national`` made: ids to measure on, and how long each step took."""

    today: dt.date
    root_id: int
    province_ids: list[int]
    commune_ids: list[int]
    big_id: int  # the province whose grassroots make the 10,000-unit cascade
    big_grassroots: int
    units: int
    assignments: int
    updates: int
    tasks: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def setup_s(self) -> float:
        return sum(self.timings.values())


# --- fast inserts ----------------------------------------------------------------------------


class _Formats:
    """Dates and times as the text each database reads fastest (COPY text / SQLite's own)."""

    def __init__(self) -> None:
        tz = "+00" if connection.vendor == "postgresql" else ""
        self._days: dict[dt.date, str] = {}
        self.clock = [f" {m // 60:02d}:{m % 60:02d}:00{tz}" for m in range(24 * 60)]

    def day(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = day.isoformat()
        return text

    def moment(self, day: dt.date, minute: int) -> str:
        """A UTC timestamp on ``day``, ``minute`` minutes after midnight."""
        return self.day(day) + self.clock[minute]


def insert_rows(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert many rows fast: COPY on PostgreSQL, ``executemany`` on SQLite.

    Values must already be what the database reads: numbers, text, None (see ``_Formats``).
    """
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    connection.ensure_connection()
    raw = connection.connection
    n = 0
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n
    sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join('?' * len(columns))})"
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        raw.executemany(sql, chunk)
        n += len(chunk)
    return n


class _IndexesDropped:
    """Drop a table's secondary indexes during a bulk load and build them afterwards.

    Keeping a dozen B-trees of a million rows current on every insert, at random places, costs
    more than building each index once at the end (from sorted data). The very same SQL (from
    ``sqlite_master`` or ``pg_get_indexdef``) recreates them, so the schema ends as the
    migrations left it. Indexes that back a constraint (primary key, unique) stay.
    """

    def __init__(self, *tables: str) -> None:
        self.tables = tables
        self.saved: list[tuple[str, str]] = []

    def _secondary(self, cursor, table: str) -> list[tuple[str, str]]:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid"
                " WHERE x.indrelid = %s::regclass AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [connection.ops.quote_name(table)],
            )
        else:
            return []
        return list(cursor.fetchall())

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            for table in self.tables:
                self.saved += self._secondary(cursor, table)
            for name, _sql in self.saved:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def __exit__(self, *exc) -> None:
        with connection.cursor() as cursor:
            if self.saved and connection.vendor == "postgresql":
                # deferred foreign-key checks of the loaded rows must run before an index build
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for _name, sql in self.saved:
                cursor.execute(sql)


class _ForeignKeyChecksOff:
    """On PostgreSQL, as a superuser, skip the per-row foreign-key triggers of a bulk load.

    Django's foreign keys are deferred: each of a million rows queues one check per key, run at
    the end, each locking its parent row — a minute for the assignments alone. The generator
    makes only valid references (the tests check them with an anti-join); without the right
    to do this (not a superuser) the checks simply run. SQLite's checks are cheap and stay.
    """

    def __enter__(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def __exit__(self, *exc) -> None:
        if connection.vendor == "postgresql" and exc[0] is None:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _reset_sequences(*models) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


# --- the tree --------------------------------------------------------------------------------


def _shape(units: int) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """The real provinces and communes, or a proportional sample of them for small tests."""
    from trienkhai.units import divisions as dv

    provinces = list(dv.provinces())
    if units >= 20_000:
        return [(c, n, t, dv.divisions_for_province(c)) for c, n, t in provinces]
    scale = units / UNITS
    n_provinces = max(2, round(len(provinces) * scale))
    chosen = [p for p in provinces if p[0] == BIG_PROVINCE]
    chosen += [p for p in provinces if p[0] != BIG_PROVINCE][: n_provinces - 1]
    per_province = max(2, round(3_321 * scale / n_provinces))
    return [(c, n, t, dv.divisions_for_province(c)[:per_province]) for c, n, t in chosen]


def _grassroots_counts(tree, units: int) -> dict[str, int]:
    """How many grassroots organizations each commune gets (by commune code)."""
    communes = [(p, w[0]) for p, _n, _t, wards in tree for w in wards]
    total = max(0, units - 1 - len(tree) - len(communes))
    big = [w for p, w in communes if p == BIG_PROVINCE]
    big_total = min(total, round(BIG_GRASSROOTS * min(1.0, units / UNITS)))
    out: dict[str, int] = {}
    q, r = divmod(big_total, max(1, len(big)))
    for i, w in enumerate(big):
        out[w] = q + (1 if i < r else 0)
    others = [w for p, w in communes if p != BIG_PROVINCE]
    q, r = divmod(total - big_total, max(1, len(others)))
    for i, w in enumerate(others):
        out[w] = q + (1 if i < r else 0)
    return out


@dataclass
class _Tree:
    root: int
    provinces: list[int]
    communes: list[int]
    cells: dict[int, list[int]]  # commune → its grassroots organizations
    communes_of: dict[int, list[int]]  # province → its communes
    chain: dict[int, tuple[int, ...]]  # unit → its ancestors and itself, the root first
    big: int
    paths: dict[int, str] = field(default_factory=dict)  # unit → its tree path

    @property
    def size(self) -> int:
        return len(self.chain)


def build_tree(units: int = UNITS) -> _Tree:
    """Root → provinces → communes → grassroots, with treebeard's paths, in one bulk insert."""
    from trienkhai.units import divisions as dv
    from trienkhai.units.models import Unit

    tree = _shape(units)
    counts = _grassroots_counts(tree, units)
    rows: list[tuple] = []
    pk = [0]
    paths: dict[int, str] = {}

    def add(parent: tuple | None, n: int, name: str, short: str, kind: str, code, folded=None):
        pk[0] += 1
        depth = parent[1] + 1 if parent else 1
        path = Unit._get_path(parent[0] if parent else "", depth, n)
        search = folded if folded is not None else fold(f"{name} {short} {code or ''}")[:400]
        rows.append([pk[0], path, depth, 0, name, short, kind, code, search])
        paths[pk[0]] = path
        if parent:
            rows[parent[2] - 1][3] += 1
        return (path, depth, pk[0])

    pc, gr = Unit.Kind.PEOPLES_COMMITTEE, Unit.Kind.GRASSROOTS
    root = add(None, 1, dv.ROOT_NAME, "Trung ương", Unit.Kind.EXTERNAL, dv.ROOT_CODE)
    t = _Tree(root[2], [], [], {}, {}, {root[2]: (root[2],)}, 0, paths)
    labels = [f"{GRASSROOTS_NAMES[g % len(GRASSROOTS_NAMES)]} {g // 5 + 1}" for g in range(5_000)]
    folded_labels = [fold(label) for label in labels]
    for i, (p_code, p_name, p_type, wards) in enumerate(tree, start=1):
        name, short = dv.peoples_committee_name(p_name, p_type)
        prov = add(root, i, name, short, pc, dv.province_unit_code(p_code))
        t.provinces.append(prov[2])
        t.communes_of[prov[2]] = []
        t.chain[prov[2]] = (root[2], prov[2])
        if p_code == BIG_PROVINCE:
            t.big = prov[2]
        for j, (w_code, w_name, w_type) in enumerate(wards, start=1):
            name, short = dv.peoples_committee_name(w_name, w_type)
            com = add(prov, j, name, short, pc, dv.ward_unit_code(w_code))
            t.communes.append(com[2])
            t.communes_of[prov[2]].append(com[2])
            t.chain[com[2]] = (root[2], prov[2], com[2])
            t.cells[com[2]] = []
            w_folded = fold(w_name)
            for g in range(counts[w_code]):
                label = labels[g]
                folded = f"{folded_labels[g]}, {w_folded} {folded_labels[g]}"
                cell = add(com, g + 1, f"{label}, {w_name}", label, gr, None, folded)
                t.cells[com[2]].append(cell[2])
                t.chain[cell[2]] = (root[2], prov[2], com[2], cell[2])
    columns = ("id", "path", "depth", "numchild", "name", "short_name", "kind", "code")
    columns += ("cadres", "party_members", "union_members", "association_members", "search_text")
    insert_rows(Unit._meta.db_table, columns, ((*r[:8], 0, 0, 0, 0, r[8]) for r in rows))
    _reset_sequences(Unit)
    return t


# --- tasks and assignments -------------------------------------------------------------------


@dataclass
class _Plan:
    """A task to create and the units it goes to (each period, for the recurring one)."""

    title: str
    issuer: int
    units: list[int]
    due: dt.date | None
    created: dt.date
    kinds: list[str] = field(default_factory=list)
    kind: str = "other"
    parent_key: tuple[int, int] | None = None  # (national task index, unit) it breaks down
    parent_assignment: int | None = None
    periods: list[tuple[str, dt.date]] = field(default_factory=list)
    recurrence: str = ""
    recurrence_start: dt.date | None = None
    task_id: int = 0
    target_id: int = 0


BUCKETS = ("not_started", "in_progress", "done_on_time", "done_late", "overdue")
_B = {b: i for i, b in enumerate(BUCKETS)}


class _Rows:
    """Assignment and progress-update rows with plausible statuses, and their counters.

    Counters are summed per (unit, task) and per (unit, month) while rows are made, then rolled
    up the tree level by level: the same numbers ``rollup.rebuild`` recounts from the facts
    (the tests check it), in seconds instead of minutes.
    """

    def __init__(
        self, tree: _Tree, today: dt.date, rng: random.Random, updates_since: dt.date | None
    ) -> None:
        self.tree, self.today, self.rng = tree, today, rng
        self.updates_since = updates_since
        self.fmt = _Formats()
        self.diligence = {p: rng.uniform(0.55, 1.0) for p in tree.provinces}
        self.next_id = 1
        self.updates: list[tuple] = []
        self.per_task: dict[tuple[int, int], list[int]] = {}
        self.per_month: dict[tuple[int, str], list[int]] = {}
        self._months: dict[dt.date, str] = {}
        self._context: dict[tuple[int, dt.date], tuple[str, str, str]] = {}

    def _month(self, day: dt.date) -> str:
        text = self._months.get(day)
        if text is None:
            text = self._months[day] = day.replace(day=1).isoformat()
        return text

    def _count_month(self, unit: int, day: dt.date, col: int) -> None:
        key = (unit, self._month(day))
        row = self.per_month.get(key)
        if row is None:
            row = self.per_month[key] = [0, 0, 0]
        row[col] += 1

    def assignment(self, plan: _Plan, unit: int, period: str, due: dt.date) -> tuple:
        from trienkhai.tasks.models import bucket_for

        rng, today, fmt = self.rng, self.today, self.fmt
        ctx = self._context.get((plan.task_id, due))
        if ctx is None:
            ctx = self._context[(plan.task_id, due)] = (
                fmt.day(due),
                self._month(due),
                fmt.moment(plan.created, 480),
            )
        due_text, due_month, created_text = ctx
        chain = self.tree.chain[unit]
        d = self.diligence.get(chain[1], 0.8) if len(chain) > 1 else 0.8
        r = rng.random()
        state, completed, reason, progress, last = "not_started", None, "", 0, None
        created = plan.created
        if due < today:
            on_time = 0.58 * d
            if r < on_time:
                state = "done"
                completed = max(created, due - dt.timedelta(days=int(rng.random() * 40)))
            elif r < on_time + 0.22:
                state = "done"
                completed = min(today, due + dt.timedelta(days=1 + int(rng.random() * 120)))
                reason = REASONS[int(rng.random() * len(REASONS))]
            elif r < on_time + 0.22 + 0.6 * (0.78 - on_time):
                state, progress = "in_progress", 5 + int(rng.random() * 90)
                if rng.random() < 0.7:
                    reason = REASONS[int(rng.random() * len(REASONS))]
        elif r < 0.15 * d:
            state = "done"
            completed = max(created, today - dt.timedelta(days=int(rng.random() * 60)))
        elif r < 0.6:
            state, progress = "in_progress", 5 + int(rng.random() * 90)
        if state == "done":
            progress = 100
            last = completed
        elif state == "in_progress":
            span = max(0, (min(today, due + dt.timedelta(days=60)) - created).days)
            last = created + dt.timedelta(days=int(rng.random() * (span + 1)))
        bucket = bucket_for(state, due, completed, today)
        pk = self.next_id
        self.next_id += 1
        moment = fmt.day(last) + fmt.clock[420 + int(rng.random() * 600)] if last else None
        if last is not None and (self.updates_since is None or last >= self.updates_since):
            text = "Đã hoàn thành." if state == "done" else "Đang triển khai thực hiện."
            self.updates.append((pk, text, progress, reason, state == "done", None, moment))
        key = (unit, plan.task_id)
        counts = self.per_task.get(key)
        if counts is None:
            counts = self.per_task[key] = [0, 0, 0, 0, 0, 0]
        counts[_B[bucket]] += 1
        if last is not None:
            counts[5] += 1
        month = self.per_month.get((unit, due_month))
        if month is None:
            month = self.per_month[(unit, due_month)] = [0, 0, 0]
        month[0] += 1
        if completed is not None:
            self._count_month(unit, completed, 1 if bucket == "done_on_time" else 2)
        return (
            pk,
            plan.task_id,
            unit,
            self.tree.paths[unit],
            plan.target_id,
            "lead",
            plan.issuer,
            period,
            due_text,
            state,
            bucket,
            progress,
            fmt.day(completed),
            reason,
            None,
            moment,
            None,
            2 if last is not None else 1,
            created_text,
        )

    def rolled_up(self):
        """(unit rows, unit-task rows, unit-month rows) of every ancestor-or-self unit."""
        chain = self.tree.chain
        rolled = []
        for table in (self.per_task, self.per_month):
            by_depth: dict[int, list] = {}
            for key in table:
                by_depth.setdefault(len(chain[key[0]]), []).append(key)
            for depth in sorted(by_depth, reverse=True):
                if depth == 1:
                    continue
                for unit, k in by_depth[depth]:
                    counts = table[(unit, k)]
                    up = (chain[unit][-2], k)
                    row = table.get(up)
                    if row is None:
                        table[up] = list(counts)
                        by_depth.setdefault(depth - 1, []).append(up)
                    else:
                        row[:] = map(add, row, counts)
            rolled.append(table)
        per_unit: dict[int, list[int]] = {}
        for (unit, _task), counts in self.per_task.items():
            row = per_unit.get(unit)
            if row is None:
                per_unit[unit] = list(counts)
            else:
                row[:] = map(add, row, counts)
        return per_unit, rolled[0], rolled[1]


ASSIGNMENT_COLUMNS = (
    "id",
    "task_id",
    "unit_id",
    "unit_path",
    "target_id",
    "role",
    "report_to_id",
    "period",
    "due_date",
    "state",
    "bucket",
    "progress",
    "completed_on",
    "reason",
    "output_document_id",
    "last_update",
    "transferred_to_id",
    "version",
    "created",
)
UPDATE_COLUMNS = ("id", "assignment_id", "text", "progress", "reason", "completed", "by_id")
UPDATE_COLUMNS += ("created",)


def _plans(tree: _Tree, assignments: int, today: dt.date, rng: random.Random):
    """The tasks: a quarterly report of every committee, national tasks to every unit (or to
    committees only), two subtasks per province for its communes, and commune subtasks for
    their grassroots until about ``assignments`` assignments are planned."""
    from trienkhai.tasks.periods import periods_of
    from trienkhai.units.models import Unit

    pc = Unit.Kind.PEOPLES_COMMITTEE
    committees = tree.provinces + tree.communes
    below_root = [u for u in tree.chain if u != tree.root]
    first = today - dt.timedelta(days=round(YEARS * 365))
    quarters = [
        (p.label, p.due)
        for p in periods_of(
            recurrence="quarterly", day=20, month=None, start=first, end=None, until=today
        )
    ]
    report = _Plan(
        "Báo cáo kết quả thực hiện nhiệm vụ hằng quý",
        tree.root,
        committees,
        None,
        first,
        kinds=[pc],
        kind="report",
        periods=quarters,
        recurrence="quarterly",
        recurrence_start=first,
    )
    fixed = len(quarters) * len(committees) + 3 * len(tree.communes)
    n_all = max(1, min(NATIONAL_TASKS, (assignments - fixed) // max(1, len(below_root))))
    spread = {round(k * NATIONAL_TASKS / n_all) for k in range(n_all)}
    span = (today + dt.timedelta(days=60) - first).days
    national: list[_Plan] = []
    for i in range(NATIONAL_TASKS):
        due = first + dt.timedelta(days=30 + (span - 30) * i // (NATIONAL_TASKS - 1))
        created = min(today, due) - dt.timedelta(days=45 + int(rng.random() * 105))
        national.append(
            _Plan(
                NATIONAL_TITLES[i % len(NATIONAL_TITLES)],
                tree.root,
                below_root if i in spread else committees,
                due,
                created,
                kinds=[] if i in spread else [pc],
                kind=("study", "plan", "inspection", "report", "other")[i % 5],
            )
        )
    to_all = [i for i in range(NATIONAL_TASKS) if i in spread]
    subtasks: list[_Plan] = []
    for i in (to_all[-1], to_all[-2] if len(to_all) > 1 else to_all[-1]):
        parent = national[i]
        for p in tree.provinces:
            if (i, p) in {s.parent_key for s in subtasks}:
                continue
            subtasks.append(
                _Plan(
                    f"Cụ thể hóa: {parent.title}",
                    p,
                    tree.communes_of[p],
                    parent.due - dt.timedelta(days=15),
                    parent.created + dt.timedelta(days=7),
                    kind="plan",
                    parent_key=(i, p),
                )
            )
    planned = len(quarters) * len(committees)
    planned += sum(len(p.units) for p in national) + sum(len(p.units) for p in subtasks)
    busy = [c for c in tree.communes if tree.cells[c]]
    j = 0
    while busy and planned < assignments and j < len(busy) * len(to_all):
        c = busy[j % len(busy)]
        i = to_all[(j // len(busy)) % len(to_all)]
        parent = national[i]
        subtasks.append(
            _Plan(
                f"Chi bộ triển khai: {parent.title}",
                c,
                tree.cells[c],
                parent.due - dt.timedelta(days=7),
                parent.created + dt.timedelta(days=10),
                kind="plan",
                parent_key=(i, c),
            )
        )
        planned += len(tree.cells[c])
        j += 1
    return report, national, subtasks


def _create_tasks(plans: list[_Plan]) -> None:
    """Tasks and their rule targets, with the ORM (a few thousand rows, no history)."""
    from trienkhai.tasks.models import Target, Task

    tasks = []
    for plan in plans:
        task = Task(
            title=plan.title[:500],
            issuer_id=plan.issuer,
            parent_assignment_id=plan.parent_assignment,
            kind=plan.kind,
            due_date=plan.due,
            recurrence=plan.recurrence,
            recurrence_day=20 if plan.recurrence else None,
            recurrence_start=plan.recurrence_start,
        )
        task.refresh_search_text()
        tasks.append(task)
    Task.objects.bulk_create(tasks, batch_size=1000)
    targets = [
        Target(task_id=t.pk, mode=Target.Mode.RULE, under_id=p.issuer, kinds=p.kinds)
        for t, p in zip(tasks, plans, strict=True)
    ]
    Target.objects.bulk_create(targets, batch_size=1000)
    for plan, task, target in zip(plans, tasks, targets, strict=True):
        plan.task_id, plan.target_id = task.pk, target.pk
        # ``created`` is auto_now_add: set the planned day (deadlines follow creation)
        task.created = dt.datetime.combine(plan.created, dt.time(8), tzinfo=dt.UTC)
    Task.objects.bulk_update(tasks, ["created"], batch_size=500)


def _create_users(tree: _Tree) -> int:
    """A leader of the root (and of the big province), and one staff per committee."""
    from trienkhai.accounts.models import Membership, User
    from trienkhai.units.models import Unit

    codes = dict(Unit.objects.filter(depth__in=(2, 3)).values_list("pk", "code"))
    users = [User(username="bench-leader", full_name="Lãnh đạo Trung ương", password="!")]
    users += [
        User(
            username=f"staff-{codes[u].lower()}",
            full_name=f"Chuyên viên {codes[u]}",
            email=f"{codes[u].lower()}@bench.example.vn",
            password="!",
        )
        for u in tree.provinces + tree.communes
    ]
    User.objects.bulk_create(users, batch_size=1000)
    leader = users[0]
    L, S = Membership.Role.LEADER, Membership.Role.STAFF
    memberships = [
        Membership(user=leader, unit_id=tree.root, role=L),
        Membership(user=leader, unit_id=tree.big, role=L),
    ]
    memberships += [
        Membership(user=user, unit_id=u, role=S, title="Chuyên viên")
        for user, u in zip(users[1:], tree.provinces + tree.communes, strict=True)
    ]
    Membership.objects.bulk_create(memberships, batch_size=1000)
    return len(users)


def build_national(
    *,
    units: int = UNITS,
    assignments: int = ASSIGNMENTS,
    today: dt.date | None = None,
    seed: int = SEED,
    updates_days: int | None = 365,
    rebuild: bool = False,
) -> National:
    """Load the country and its cascade into the current (empty) database; see the module.

    Progress updates are written for assignments last updated in the last ``updates_days``
    days (None: for all). The counters come from the generator; ``rebuild=True`` recomputes
    them with ``rollup.rebuild()`` instead (minutes at national scale: see the report).
    """
    from trienkhai.tasks import rollup
    from trienkhai.tasks.models import (
        Assignment,
        ProgressUpdate,
        Target,
        Task,
        UnitMonthRollup,
        UnitRollup,
        UnitTaskRollup,
    )

    today = today or timezone.localdate()
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    step = _timer(timings)

    with step("units"), transaction.atomic():
        tree = build_tree(units)
        n_users = _create_users(tree)
    report, national, subtasks = _plans(tree, assignments, today, rng)
    since = today - dt.timedelta(days=updates_days) if updates_days is not None else None
    gen = _Rows(tree, today, rng, since)
    a_table = Assignment._meta.db_table
    with (
        step("assignments"),
        transaction.atomic(),
        _ForeignKeyChecksOff(),
        _IndexesDropped(a_table),
    ):
        _create_tasks([report, *national])
        parents: dict[tuple[int, int], int] = {}

        def national_rows() -> Iterator[tuple]:
            for label, due in report.periods:
                for u in report.units:
                    yield gen.assignment(report, u, label, due)
            for i, plan in enumerate(national):
                for u in plan.units:
                    row = gen.assignment(plan, u, "", plan.due)
                    parents[(i, u)] = row[0]
                    yield row

        n = insert_rows(a_table, ASSIGNMENT_COLUMNS, national_rows())
        for plan in subtasks:
            plan.parent_assignment = parents[plan.parent_key]
        _create_tasks(subtasks)

        def sub_rows() -> Iterator[tuple]:
            for plan in subtasks:
                for u in plan.units:
                    yield gen.assignment(plan, u, "", plan.due)

        n += insert_rows(a_table, ASSIGNMENT_COLUMNS, sub_rows())
    with step("updates"), transaction.atomic(), _ForeignKeyChecksOff():
        u_table = ProgressUpdate._meta.db_table
        with _IndexesDropped(u_table):
            rows = ((i, *row) for i, row in enumerate(gen.updates, start=1))
            n_updates = insert_rows(u_table, UPDATE_COLUMNS, rows)
        gen.updates = []
        _reset_sequences(Assignment, ProgressUpdate, Task, Target)
    with step("counters"), transaction.atomic(), _ForeignKeyChecksOff():
        if rebuild:
            rollup.rebuild()
        else:
            per_unit, per_task, per_month = gen.rolled_up()
            tables = [m._meta.db_table for m in (UnitRollup, UnitTaskRollup, UnitMonthRollup)]
            with _IndexesDropped(*tables):
                insert_rows(
                    tables[0],
                    ("id", "unit_id", *BUCKETS, "updated"),
                    ((i, u, *c) for i, (u, c) in enumerate(sorted(per_unit.items()), start=1)),
                )
                insert_rows(
                    tables[1],
                    ("id", "unit_id", "task_id", *BUCKETS, "updated"),
                    ((i, *k, *c) for i, (k, c) in enumerate(sorted(per_task.items()), start=1)),
                )
                insert_rows(
                    tables[2],
                    ("id", "unit_id", "month", "due", "done_on_time", "done_late"),
                    ((i, *k, *c) for i, (k, c) in enumerate(sorted(per_month.items()), start=1)),
                )
            _reset_sequences(UnitRollup, UnitTaskRollup, UnitMonthRollup)
    with step("analyze"):
        analyze()
    _log(
        f"{tree.size:,} units, {n:,} assignments, {n_updates:,} progress updates,"
        f" {n_users:,} users on {connection.vendor}"
    )
    return National(
        today=today,
        root_id=tree.root,
        province_ids=tree.provinces,
        commune_ids=tree.communes,
        big_id=tree.big,
        big_grassroots=sum(len(tree.cells[c]) for c in tree.communes_of[tree.big]),
        units=tree.size,
        assignments=n,
        updates=n_updates,
        tasks=1 + len(national) + len(subtasks),
        timings=timings,
    )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the figures -----------------------------------------------------------------------------

REQUESTS = 25
WARMUPS = 3
CASCADE_RUNS = 3
# Pages render {% static %}: do not depend on a collectstatic manifest during the bench.
_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def p95(timings: list[float]) -> float:
    """The 95th percentile (inclusive method: never beyond the largest sample)."""
    return statistics.quantiles(timings, n=20, method="inclusive")[18]


def _leader():
    from trienkhai.accounts.models import User

    return User.objects.get(username="bench-leader")


def page_p95_ms(client, url: str, *, requests: int = REQUESTS) -> tuple[float, int]:
    """p95 of ``requests`` timed GETs after ``WARMUPS`` warm-ups, and one request's queries."""
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    _log(
        f"{url}: median {statistics.median(timings):.1f} ms, p95 {p95(timings):.1f} ms,"
        f" max {max(timings):.1f} ms, {len(ctx.captured_queries)} queries"
    )
    return p95(timings), len(ctx.captured_queries)


def dashboard_figures(nat: National) -> dict[str, float]:
    """p95 of the dashboard of the root and of the big province, for a leader of both."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    client = Client()
    login_verified(client, _leader())

    def url(pk: int) -> str:
        return reverse("tasks:dashboard_unit", kwargs={"unit_pk": pk})

    with override_settings(STORAGES=_STATIC, SECURE_SSL_REDIRECT=False):
        root_ms, queries = page_p95_ms(client, url(nat.root_id))
        province_ms, province_queries = page_p95_ms(client, url(nat.big_id))
    _log(f"dashboard of the province: {province_queries} queries")
    if connection.vendor == "sqlite":
        # the issue fixes the root's figure on SQLite; the province's goes to stderr
        _log(f"dashboard_province_p95_sqlite_ms {province_ms:.1f} (not a figure of the issue)")
        return {"dashboard_root_p95_sqlite_ms": round(root_ms, 1), "dashboard_queries": queries}
    return {
        "dashboard_root_p95_ms": round(root_ms, 1),
        "dashboard_province_p95_ms": round(province_ms, 1),
        "dashboard_queries": queries,
    }


def cascade_figure(nat: National, *, runs: int = CASCADE_RUNS) -> dict[str, float]:
    """Seconds of ``target_add`` of a rule reaching the big province's grassroots (≥ 10,000
    units), counters included; the median of ``runs`` new tasks."""
    from trienkhai.tasks.models import Target, Task
    from trienkhai.tasks.services import target_add, task_create
    from trienkhai.units.models import Unit

    leader = _leader()
    big = Unit.objects.get(pk=nat.big_id)
    timings = []
    for i in range(runs):
        task = task_create(
            issuer=big,
            by=leader,
            title=f"Chi bộ tổ chức sinh hoạt chuyên đề năm {nat.today.year} (đợt {i + 1})",
            kind=Task.Kind.STUDY,
            due_date=nat.today + dt.timedelta(days=45),
        )
        start = time.perf_counter()
        _target, created = target_add(
            task=task,
            by=leader,
            mode=Target.Mode.RULE,
            under=big,
            kinds=[Unit.Kind.GRASSROOTS],
            today=nat.today,
        )
        timings.append(time.perf_counter() - start)
        assert created == nat.big_grassroots, (created, nat.big_grassroots)
    _log(
        f"cascade to {nat.big_grassroots:,} units: "
        + ", ".join(f"{t:.2f}s" for t in timings)
        + f" on {connection.vendor}"
    )
    return {"cascade_10k_units_s": round(statistics.median(timings), 2)}


def reminders_figure(nat: National) -> dict[str, float]:
    """Seconds of the daily reminders over every assignment, mail kept in memory."""
    from django.core import mail
    from django.test.utils import override_settings

    from trienkhai.tasks.reminders import send_reminders

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        start = time.perf_counter()
        result = send_reminders(today=nat.today)
        spent = time.perf_counter() - start
        sent = len(mail.outbox)
        mail.outbox = []
    _log(f"reminders on {connection.vendor}: {result} ({sent} emails) in {spent:.1f}s")
    return {"reminders_1m_s": round(spent, 1)}


def bench_national() -> Iterator[tuple[str, float]]:
    """Every national figure on the current database; a figure that fails is reported on
    stderr and the others still run (the group fails at the end)."""
    nat = build_national()
    _log(f"national setup on {connection.vendor}: {nat.setup_s:.1f}s")
    failed = []
    measures: list[tuple[str, Callable[[National], dict[str, float]]]] = [
        ("dashboard", dashboard_figures),
        ("reminders", reminders_figure),
        ("cascade", cascade_figure),
    ]
    for name, measure in measures:
        try:
            yield from measure(nat).items()
        except Exception as exc:  # one broken figure must not hide the others
            failed.append(name)
            _log(f"figure {name} failed on {connection.vendor}: {exc!r}")
    if failed:
        raise RuntimeError(f"national figures failed: {', '.join(failed)}")

"""Fast inserts for the one bulk write of the cascade: a target reaching thousands of units.

A rule over a province creates ten thousand assignments and their history rows at once; the
ORM spends seconds building and compiling them. Here rows are tuples: PostgreSQL takes them by
COPY (ids drawn from the table's sequence first, so the history rows can name them), SQLite by
``executemany`` of one prepared statement inside the write transaction that is already held.
The rows are exactly what ``Assignment.objects.create`` and simple-history would write.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from trienkhai.tasks.models import Assignment


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _new_ids(n: int) -> list[int]:
    table = Assignment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))


def _write(model, columns: list[str], rows: Sequence[tuple]) -> None:
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def insert_assignments(
    new: Sequence[dict], *, history_user_id: int | None, reason: str | None = None
) -> list[int]:
    """Insert assignments (dicts of column values, without id) and their "created" history.

    Returns the new ids in the order given.
    """
    if not new:
        return []
    now = timezone.now()
    ids = _new_ids(len(new))
    a_cols = _columns(Assignment)
    defaults = {
        "target_id": None,
        "completed_on": None,
        "reason": "",
        "output_document_id": None,
        "last_update": None,
        "transferred_to_id": None,
        "progress": 0,
        "state": Assignment.State.NOT_STARTED,
        "version": 1,
        "created": now,
    }
    rows = []
    for pk, values in zip(ids, new, strict=True):
        full = {**defaults, **values, "id": pk}
        rows.append(tuple(full[c] for c in a_cols))
    _write(Assignment, a_cols, rows)

    history = Assignment.history.model
    h_cols = [c for c in _columns(history) if c != "history_id"]
    extra = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": history_user_id,
    }
    h_rows = []
    for row in rows:
        full = dict(zip(a_cols, row, strict=True)) | extra
        h_rows.append(tuple(full[c] for c in h_cols))
    _write(history, h_cols, h_rows)
    return ids

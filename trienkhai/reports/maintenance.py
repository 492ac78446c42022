"""Deleting rounds whole — accepted reports included — for test data and retention only.

No page, API call or job deletes a report: the lock forbids it (services, models, and on
PostgreSQL a trigger). Wiping a database's reporting data is an operator's act, and it lifts
the PostgreSQL guard for its own transaction only (migration 0002).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import QuerySet

from trienkhai.reports.models import Report, ReportForm, Round, RoundCount, Value


def _unlock(on: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL trienkhai.reports_unlock = '{'on' if on else 'off'}'")


@transaction.atomic
def purge_rounds(rounds: QuerySet[Round]) -> int:
    """Delete ``rounds`` with their reports, figures and counters; returns the rounds deleted.

    SET LOCAL lasts until the outermost transaction ends, not this savepoint: the guard is
    put back explicitly before returning (an error rolls the setting back with the rest)."""
    ids = list(rounds.values_list("pk", flat=True))
    _unlock(True)
    Value.objects.filter(report__round_id__in=ids).delete()
    RoundCount.objects.filter(round_id__in=ids).delete()
    reports = Report.objects.filter(round_id__in=ids)
    reports.update(superseded_by=None)
    reports.delete()
    deleted, _per_model = Round.objects.filter(pk__in=ids).delete()
    _unlock(False)
    return len(ids) if deleted else 0


@transaction.atomic
def purge_all() -> None:
    """Every round and every form (a test that rebuilds the demo from scratch)."""
    purge_rounds(Round.objects.all())
    ReportForm.objects.all().delete()

"""Two workers sending the same day's reminders at once never send a digest twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from trienkhai.core.testing import build_world
from trienkhai.tasks.models import ReminderDigest
from trienkhai.tasks.reminders import ReminderResult, send_reminders
from trienkhai.tasks.testing import build_cascade

DAY = dt.date(2020, 8, 24)


def _with_emails(world) -> None:
    for user in (world.city_leader, world.ward_officer, world.other_ward_officer):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_digest_once(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: test_reminders_digest runs it twice")
    world = build_world()
    build_cascade(world)
    _with_emails(world)
    start = threading.Barrier(4)
    results: list[ReminderResult] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=10)
            results.append(send_reminders(today=DAY))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(r.digests for r in results) == 3
    assert sum(r.skipped for r in results) == 9
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        u.email for u in (world.city_leader, world.ward_officer, world.other_ward_officer)
    )
    assert ReminderDigest.objects.filter(day=DAY, sent__isnull=False).count() == 3

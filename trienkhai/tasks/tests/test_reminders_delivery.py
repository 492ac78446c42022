"""Claiming and sending: a lost race skips the person, a mail failure never leads to a double."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from trienkhai.tasks.models import ReminderDigest
from trienkhai.tasks.reminders import send_reminders
from trienkhai.tasks.testing import build_cascade

pytestmark = pytest.mark.django_db

DAY = dt.date(2020, 8, 24)
HERE = "trienkhai.tasks.tests.test_reminders_delivery"


class ClosedServerBackend(BaseEmailBackend):
    """A mail server that cannot be reached."""

    def open(self):
        raise ConnectionRefusedError("no mail server")

    def send_messages(self, messages):
        raise AssertionError("never reached")


class RefusingServerBackend(BaseEmailBackend):
    """A mail server that accepts the connection, then fails on the batch."""

    def send_messages(self, messages):
        raise OSError("451 try again later")


@pytest.fixture
def cascade(world):
    c = build_cascade(world)
    for user in (world.city_leader, world.ward_officer, world.other_ward_officer):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return c


def test_a_worker_that_loses_the_race_for_one_person_still_sends_the_others(
    world, cascade, mailoutbox, monkeypatch
):
    # A second worker claimed the ward officer's digest, but after we looked for claims.
    ReminderDigest.objects.create(user=world.ward_officer, day=DAY)
    manager = ReminderDigest.objects
    original = manager.filter

    def looked_too_early(*args, **kwargs):
        monkeypatch.setattr(manager, "filter", original)
        return manager.none()

    monkeypatch.setattr(manager, "filter", looked_too_early)
    result = send_reminders(today=DAY)
    assert (result.digests, result.skipped) == (2, 1)
    assert world.ward_officer.email not in {m.to[0] for m in mailoutbox}
    assert ReminderDigest.objects.filter(day=DAY).count() == 3


def test_with_the_mail_server_down_nothing_is_claimed(world, cascade, settings):
    settings.EMAIL_BACKEND = f"{HERE}.ClosedServerBackend"
    with pytest.raises(ConnectionRefusedError):
        send_reminders(today=DAY)
    assert not ReminderDigest.objects.exists()  # a later run sends them


def test_a_refused_batch_is_counted_and_not_sent_again_the_same_day(
    world, cascade, settings, mailoutbox
):
    settings.EMAIL_BACKEND = f"{HERE}.RefusingServerBackend"
    result = send_reminders(today=DAY)
    assert (result.digests, result.failed) == (0, 3)
    # at most once: the claims stay, unsent, so an operator sees who missed the digest
    assert ReminderDigest.objects.filter(day=DAY, sent__isnull=True).count() == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_reminders(today=DAY).skipped == 3
    assert mailoutbox == []
    assert send_reminders(today=DAY + dt.timedelta(days=1)).digests == 3

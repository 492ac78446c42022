"""Daily deadline digests: who gets which items, once a day, with links and capped sections."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from trienkhai.core.testing import make_user
from trienkhai.tasks.models import Assignment, ReminderDigest, Target
from trienkhai.tasks.reminders import build_digests, send_reminders
from trienkhai.tasks.services import target_add, task_create
from trienkhai.tasks.testing import build_cascade

pytestmark = pytest.mark.django_db

D = dt.date
SITE = "https://trienkhai.example.vn"


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 7, 0), tick=False)


@pytest.fixture
def cascade(world, settings):
    settings.SITE_URL = SITE
    settings.TASKS_ESCALATE_AFTER_DAYS = 7
    c = build_cascade(world)
    for user in (world.city_leader, world.ward_officer, world.other_ward_officer, world.observer):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return c


def digests_by_user(day: dt.date) -> dict:
    with at(day):
        return {d.user_id: d for d in build_digests()}


def sections(digest) -> dict[str, set[int]]:
    return {s.kind: {i.pk for i in s.items} for s in digest.sections}


def mail_to(outbox, user):
    found = [m for m in outbox if m.to == [user.email]]
    assert len(found) == 1, f"{user.username} got {len(found)} digests"
    return found[0]


def html_of(message) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def update_url(assignment) -> str:
    return SITE + reverse("tasks:update", args=[assignment.pk])


def test_a_week_before_the_deadline_the_ward_hears_of_its_plan_and_its_overdue_study(
    world, cascade
):
    digests = digests_by_user(D(2020, 8, 24))
    ward = sections(digests[world.ward_officer.pk])
    assert ward == {"overdue": {cascade.study_bt.pk}, "soon": {cascade.plan_bt.pk}}
    # Tân Định's plan is done: only its study is left, overdue
    assert sections(digests[world.other_ward_officer.pk]) == {"overdue": {cascade.study_td.pk}}


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (D(2020, 8, 24), "soon"),  # 7 days left
        (D(2020, 8, 28), "soon"),  # 3 days left
        (D(2020, 8, 30), "soon"),  # 1 day left
        (D(2020, 8, 31), "today"),
        (D(2020, 9, 1), "overdue"),
    ],
)
def test_the_plan_is_reminded_7_3_and_1_days_before_on_the_day_and_after(world, cascade, day, kind):
    ward = sections(digests_by_user(day)[world.ward_officer.pk])
    assert cascade.plan_bt.pk in ward[kind]


@pytest.mark.parametrize("day", [D(2020, 8, 25), D(2020, 8, 26), D(2020, 8, 29)])
def test_no_reminder_of_the_plan_between_the_windows(world, cascade, day):
    ward = sections(digests_by_user(day)[world.ward_officer.pk])
    assert cascade.plan_bt.pk not in set().union(*ward.values())


def test_items_say_how_late_or_how_soon(world, cascade):
    digest = digests_by_user(D(2020, 8, 28))[world.ward_officer.pk]
    items = {i.pk: i for s in digest.sections for i in s.items}
    assert items[cascade.study_bt.pk].days == 28  # due 31/07
    assert items[cascade.study_bt.pk].due == "31/07/2020"
    assert items[cascade.plan_bt.pk].days == 3


def test_overdue_work_goes_up_to_the_report_to_unit_after_seven_days(world, cascade):
    cell_staff = make_user(
        "canbo.chibo", unit=world.ben_thanh_cell, full_name="Đỗ Văn Em", email="chibo@example.org"
    )
    # 25/08: the cell's sub-plan (due 20/08) is 5 days late — the cell hears, Bến Thành not yet
    digests = digests_by_user(D(2020, 8, 25))
    assert sections(digests[cell_staff.pk]) == {"overdue": {cascade.sub_cell.pk}}
    assert "escalated" not in sections(digests[world.ward_officer.pk])
    # the study (due 31/07) is 25 days late: the City hears of both wards
    assert sections(digests[world.city_leader.pk]) == {
        "escalated": {cascade.study_bt.pk, cascade.study_td.pk}
    }
    # 27/08: 7 days late — Bến Thành (the unit it reports to) hears too
    ward = sections(digests_by_user(D(2020, 8, 27))[world.ward_officer.pk])
    assert ward["escalated"] == {cascade.sub_cell.pk}
    assert ward["overdue"] == {cascade.study_bt.pk}


def test_the_escalation_threshold_is_a_setting(world, cascade, settings):
    settings.TASKS_ESCALATE_AFTER_DAYS = 3
    ward = sections(digests_by_user(D(2020, 8, 25))[world.ward_officer.pk])
    assert ward["escalated"] == {cascade.sub_cell.pk}


def test_observers_and_people_without_email_get_nothing(world, cascade, mailoutbox):
    world.ward_officer.email = ""
    world.ward_officer.save(update_fields=["email"])
    retired = make_user("nghihuu", unit=world.tan_dinh, email="nghihuu@example.org")
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    result = send_reminders(today=D(2020, 8, 24))
    assert {m.to[0] for m in mailoutbox} == {
        world.city_leader.email,
        world.other_ward_officer.email,
    }
    assert result.digests == 2
    assert not ReminderDigest.objects.filter(user__in=[world.ward_officer, retired]).exists()


def test_one_digest_per_person_per_day_even_when_run_twice(world, cascade, mailoutbox):
    first = send_reminders(today=D(2020, 8, 24))
    second = send_reminders(today=D(2020, 8, 24))
    assert (first.digests, first.skipped) == (3, 0)
    assert (second.digests, second.skipped) == (0, 3)
    assert len(mailoutbox) == 3
    assert ReminderDigest.objects.filter(day=D(2020, 8, 24), sent__isnull=False).count() == 3
    assert first.items == sum(
        ReminderDigest.objects.filter(day=D(2020, 8, 24)).values_list("items", flat=True)
    )
    # the next day is a new digest
    assert send_reminders(today=D(2020, 8, 25)).digests == 3
    assert len(mailoutbox) == 6


def test_a_digest_claimed_by_a_killed_worker_is_not_sent_again_that_day(world, cascade, mailoutbox):
    ReminderDigest.objects.create(user=world.ward_officer, day=D(2020, 8, 24), items=2)
    result = send_reminders(today=D(2020, 8, 24))
    assert result.skipped == 1
    assert world.ward_officer.email not in {m.to[0] for m in mailoutbox}


def test_the_digest_links_straight_to_the_update_form(world, cascade, mailoutbox):
    send_reminders(today=D(2020, 8, 24))
    message = mail_to(mailoutbox, world.ward_officer)
    for a in (cascade.study_bt, cascade.plan_bt):
        assert update_url(a) in message.body
        assert f'href="{update_url(a)}"' in html_of(message)
        assert a.task.title in message.body
    assert "31/07/2020" in message.body and "31/08/2020" in message.body
    assert world.ben_thanh.name in html_of(message)
    assert "24/08/2020" in message.subject
    dashboard = SITE + reverse("tasks:dashboard_unit", args=[world.ben_thanh.pk])
    assert dashboard in message.body


def test_the_html_digest_escapes_titles(world, cascade, mailoutbox):
    task = task_create(
        issuer=world.city,
        by=None,
        title="Báo cáo <script>alert(1)</script> & tổng kết",
        due_date=D(2020, 8, 27),
    )
    target_add(task=task, by=None, mode=Target.Mode.UNITS, units=[world.tan_dinh])
    send_reminders(today=D(2020, 8, 24))
    html = html_of(mail_to(mailoutbox, world.other_ward_officer))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in mail_to(mailoutbox, world.other_ward_officer).body


def test_a_tan_dinh_officer_never_reads_about_ben_thanh(world, cascade, mailoutbox):
    for day in (D(2020, 8, 24), D(2020, 8, 27), D(2020, 9, 1)):
        send_reminders(today=day)
    mine = [m for m in mailoutbox if m.to == [world.other_ward_officer.email]]
    assert len(mine) == 3
    for message in mine:
        for text in (message.subject, message.body, html_of(message)):
            assert "Bến Thành" not in text
            assert update_url(cascade.study_bt) not in text
            assert update_url(cascade.plan_bt) not in text


def test_long_sections_are_capped_with_a_count_and_a_dashboard_link(world, cascade, mailoutbox):
    for n in range(33):
        task = task_create(
            issuer=world.city, by=None, title=f"Nhiệm vụ số {n + 1:02d}", due_date=D(2020, 8, 1)
        )
        target_add(task=task, by=None, mode=Target.Mode.UNITS, units=[world.tan_dinh])
    send_reminders(today=D(2020, 8, 24))
    message = mail_to(mailoutbox, world.other_ward_officer)
    # 34 overdue (33 new + the study): 30 listed, the oldest deadline first
    listed = [
        a for a in Assignment.objects.filter(unit=world.tan_dinh) if update_url(a) in message.body
    ]
    assert len(listed) == 30
    assert update_url(cascade.study_td) in message.body  # due 31/07, before the others
    with translation.override("vi"):
        more = ngettext("and %(counter)s other task", "and %(counter)s other tasks", 4) % {
            "counter": 4
        }
    assert more in message.body and more in html_of(message)
    dashboard = SITE + reverse("tasks:dashboard_unit", args=[world.tan_dinh.pk])
    assert f'href="{dashboard}"' in html_of(message)
    assert ReminderDigest.objects.get(user=world.other_ward_officer).items == 34


def test_the_number_of_queries_does_not_grow_with_the_units(
    world, cascade, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        result = send_reminders(today=D(2020, 8, 24))
    assert result.digests == 3


def test_nothing_due_sends_nothing(world, cascade, mailoutbox):
    result = send_reminders(today=D(2020, 6, 1))
    assert (result.digests, result.items, result.skipped) == (0, 0, 0)
    assert mailoutbox == []

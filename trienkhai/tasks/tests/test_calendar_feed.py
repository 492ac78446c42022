"""The personal calendar feed: a secret URL, the user's own units' deadlines, valid ICS."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from trienkhai.accounts.models import AuditEvent, User
from trienkhai.tasks.calendar import feed_path, issue_token
from trienkhai.tasks.models import Target
from trienkhai.tasks.services import target_add, task_create
from trienkhai.tasks.testing import build_cascade

pytestmark = pytest.mark.django_db

SITE = "https://trienkhai.example.vn"


@pytest.fixture
def cascade(world, settings):
    settings.SITE_URL = SITE
    return build_cascade(world)


def feed_of(client, user):
    issue_token(user)
    with time_machine.travel(dt.datetime(2020, 8, 25, 9, 0), tick=False):
        return client.get(feed_path(user))


def events(response) -> dict[str, dict]:
    cal = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def uid(assignment) -> str:
    return f"assignment-{assignment.pk}@trienkhai.example.vn"


# --- the feed ------------------------------------------------------------------------------


def test_the_feed_lists_the_open_deadlines_of_the_officers_unit(client, world, cascade):
    response = feed_of(client, world.ward_officer)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    found = events(response)
    assert set(found) == {uid(cascade.plan_bt), uid(cascade.study_bt)}
    plan = found[uid(cascade.plan_bt)]
    assert plan.decoded("dtstart") == dt.date(2020, 8, 31)  # all-day: a date, not a time
    assert plan.decoded("dtend") == dt.date(2020, 9, 1)
    assert str(plan["summary"]) == f"{cascade.plan.title} — {world.ben_thanh.name}"
    update = SITE + reverse("tasks:update", args=[cascade.plan_bt.pk])
    assert update in str(plan["description"])
    assert str(plan["url"]) == update
    assert "dtstamp" in plan


def test_the_feed_never_shows_another_wards_deadlines(client, world, cascade):
    found = events(feed_of(client, world.other_ward_officer))
    # Tân Định's plan is done: only its study is left
    assert set(found) == {uid(cascade.study_td)}
    assert b"B\xe1\xba\xbfn Th\xc3\xa0nh" not in feed_of(client, world.other_ward_officer).content


def test_units_below_and_done_work_stay_out_of_the_feed(client, world, cascade):
    # the cell's sub-plan is below Bến Thành; the City leader's own unit has no assignment
    assert uid(cascade.sub_cell) not in events(feed_of(client, world.ward_officer))
    assert events(feed_of(client, world.city_leader)) == {}
    assert events(feed_of(client, world.observer)) == {}


def test_the_uid_is_stable_between_downloads(client, world, cascade):
    first = events(feed_of(client, world.ward_officer))
    second = events(feed_of(client, world.ward_officer))
    assert set(first) == set(second)


def test_titles_with_commas_semicolons_and_long_vietnamese_text_survive(client, world, cascade):
    title = (
        "Rà soát, bổ sung quy hoạch; kiện toàn đội ngũ cán bộ lãnh đạo, quản lý các cấp"
        " nhiệm kỳ 2025–2030 \\ theo Quy định số 50-QĐ/TW"
    )
    task = task_create(issuer=world.city, by=None, title=title, due_date=dt.date(2020, 9, 15))
    target_add(task=task, by=None, mode=Target.Mode.UNITS, units=[world.ben_thanh])
    response = feed_of(client, world.ward_officer)
    raw = response.content
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75  # RFC 5545 folding, in octets
    assert lines[0] == b"BEGIN:VCALENDAR"
    summaries = {str(e["summary"]) for e in events(response).values()}
    assert f"{title} — {world.ben_thanh.name}" in summaries


def test_the_feed_needs_no_login_and_a_constant_number_of_queries(
    client, world, cascade, django_assert_max_num_queries
):
    issue_token(world.ward_officer)
    with django_assert_max_num_queries(4):
        response = client.get(feed_path(world.ward_officer))
    assert response.status_code == 200


# --- the secret ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["nothing", "999999.abc", "1.", ".abc", "abc.def", "1.x" * 40],
)
def test_unknown_tokens_are_404(client, world, cascade, token):
    assert client.get(reverse("tasks:calendar", args=[token])).status_code == 404


def test_a_wrong_secret_or_an_empty_one_is_404(client, world, cascade):
    user = world.ward_officer
    assert user.calendar_token == ""
    assert client.get(reverse("tasks:calendar", args=[f"{user.pk}.x"])).status_code == 404
    token = issue_token(user)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("tasks:calendar", args=[f"{user.pk}.{wrong}"])).status_code == 404
    other = world.other_ward_officer
    path = reverse("tasks:calendar", args=[f"{other.pk}.{token}"])
    assert client.get(path).status_code == 404  # someone else's id with my secret


def test_a_disabled_user_loses_the_feed(client, world, cascade):
    path = (issue_token(world.ward_officer), feed_path(world.ward_officer))[1]
    world.ward_officer.is_active = False
    world.ward_officer.save(update_fields=["is_active"])
    assert client.get(path).status_code == 404


# --- the settings page ---------------------------------------------------------------------


def test_the_settings_page_needs_a_login(client, world):
    response = client.get(reverse("tasks:calendar_settings"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_first_visit_creates_the_secret_and_shows_the_address(login, world, cascade):
    client = login(world.ward_officer)
    response = client.get(reverse("tasks:calendar_settings"))
    assert response.status_code == 200
    token = User.objects.get(pk=world.ward_officer.pk).calendar_token
    assert len(token) >= 40
    url = SITE + reverse("tasks:calendar", args=[f"{world.ward_officer.pk}.{token}"])
    assert url in response.content.decode()
    client.get(reverse("tasks:calendar_settings"))
    assert User.objects.get(pk=world.ward_officer.pk).calendar_token == token


def test_reset_issues_a_new_address_and_the_old_one_stops_working(login, world, cascade):
    client = login(world.ward_officer)
    client.get(reverse("tasks:calendar_settings"))
    world.ward_officer.refresh_from_db()
    old = feed_path(world.ward_officer)
    assert client.get(old).status_code == 200
    response = client.post(reverse("tasks:calendar_reset"))
    assert response.status_code == 302
    world.ward_officer.refresh_from_db()
    new = feed_path(world.ward_officer)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    event = AuditEvent.objects.get(kind="calendar_reset")
    assert event.user == world.ward_officer


def test_reset_is_a_post_and_needs_a_login(client, login, world):
    assert client.post(reverse("tasks:calendar_reset")).status_code == 302  # to the login
    assert not AuditEvent.objects.filter(kind="calendar_reset").exists()
    client = login(world.ward_officer)
    assert client.get(reverse("tasks:calendar_reset")).status_code == 405

"""The coverage benchmark's data generator makes data the services themselves could have made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bench.coverage_bench import build_coverage
from trienkhai.accounts.models import User
from trienkhai.outreach import rollup
from trienkhai.outreach.models import StudySession
from trienkhai.outreach.selectors import coverage
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 14)


@pytest.fixture
def data():
    return build_coverage(units=500, sessions=4_000, today=TODAY)


def test_the_sessions_respect_the_headcounts_and_the_counters_match(data):
    assert StudySession.objects.count() == data.sessions
    assert 3_900 <= data.sessions <= 4_000
    for s in StudySession.objects.select_related("unit").order_by("?")[:200]:
        assert s.party_members <= s.unit.party_members and s.held_on <= TODAY
        assert s.assignment.unit_id == s.unit_id and s.topic_id == data.topic_id
    assert rollup.check() == []


def test_the_root_page_reads_the_whole_country(data, client):
    client.force_login(
        User.objects.get(username="bench-leader"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    url = reverse("outreach:coverage_unit", args=[data.root_id])
    r = client.get(url, {"topic": data.topic_id})
    assert r.status_code == 200
    c = coverage(Unit.objects.get(pk=data.root_id), Task.objects.get(pk=data.topic_id)).counts
    assert r.context["counts"] == c
    assert c.sessions == data.sessions and 0 < c.without < c.units
    assert all((c.percent(g) or 0) <= 100 for g in c.headcount)

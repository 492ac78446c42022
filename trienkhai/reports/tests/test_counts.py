"""The completeness counters follow every move of a report, and the check command sees drift."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trienkhai.reports import counts
from trienkhai.reports.models import RoundCount
from trienkhai.reports.services import report_reopen, report_return, report_waive
from trienkhai.reports.tests.conftest import accept, send

pytestmark = pytest.mark.django_db


def test_every_transition_moves_the_counters_of_every_ancestor(world, rep):
    cell = send(rep.cell, rep.cell_officer)
    cell = report_return(report=cell, by=world.ward_officer, comment="Sửa")
    cell = accept(send(cell, rep.cell_officer), world.ward_officer)
    report_reopen(report=cell, by=world.ward_officer, reason="Sai số")
    report_waive(report=rep.td, by=world.city_leader, reason="Miễn")
    assert counts.check(rep.round) == []
    city = RoundCount.objects.get(round=rep.round, unit=world.city)
    assert (city.expected, city.returned, city.not_sent, city.waived) == (3, 1, 3, 1)


def test_the_command_finds_and_fixes_drift(world, rep):
    RoundCount.objects.filter(round=rep.round, unit=world.city).update(expected=99)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("report_counts_check", stdout=out)
    assert "stored (99," in out.getvalue()
    call_command("report_counts_check", "--fix", stdout=StringIO())
    assert counts.check(rep.round) == []
    call_command("report_counts_check", stdout=StringIO())

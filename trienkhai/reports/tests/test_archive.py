"""Loading a past round's archive: checked like saves, written in bulk, with history."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.core.errors import DomainError
from trienkhai.reports.models import Report, Value
from trienkhai.reports.services import LoadEntry, ReportInvalid, reports_load

pytestmark = pytest.mark.django_db
S = Report.State
SENT = dt.date(2020, 12, 18)


def _entry(r, state, **figures):
    return LoadEntry(
        report=r,
        figures=figures or {"HN": 3},
        state=state,
        sent_on=SENT,
        decided_on=SENT + dt.timedelta(days=2),
        narrative={"results": "Hoàn thành"},
    )


def test_an_archive_loads_reports_as_they_stood_with_their_history(world, rep):
    n = reports_load(
        round_=rep.round,
        entries=[_entry(rep.cell, S.ACCEPTED, HN=2, KH="có"), _entry(rep.td, S.SUBMITTED)],
        by=world.city_leader,
    )
    assert n == 2
    cell = Report.objects.get(pk=rep.cell.pk)
    assert (cell.state, cell.first_submitted_on, cell.decided_by) == (
        S.ACCEPTED,
        SENT,
        world.city_leader,
    )
    assert cell.narrative == {"results": "Hoàn thành"}
    values = {v.indicator.code: v.number for v in Value.objects.filter(report=cell)}
    assert values == {"HN": 2, "KH": 1}
    h = Report.history.filter(id=cell.pk).latest("history_id")
    assert (h.history_change_reason, h.history_type, h.state) == ("loaded", "~", S.ACCEPTED)
    assert h.history_user == world.city_leader
    vh = Value.history.filter(report_id=cell.pk, indicator__code="HN").get()
    assert (vh.number, vh.history_type, vh.history_user) == (2, "+", world.city_leader)


def test_an_archive_with_one_wrong_figure_loads_nothing(world, rep):
    with pytest.raises(ReportInvalid) as err:
        reports_load(
            round_=rep.round,
            entries=[_entry(rep.cell, S.ACCEPTED), _entry(rep.td, S.ACCEPTED, HN="nhiều")],
            by=world.city_leader,
        )
    assert list(err.value.errors) == [f"{rep.td.pk}.figure-HN"]
    assert not Value.objects.exists()
    assert Report.objects.get(pk=rep.cell.pk).state == S.DRAFT


def test_an_archive_keeps_the_receivers_rule_and_the_owner(world, rep):
    with pytest.raises(ReportInvalid) as err:  # the cell is not settled
        reports_load(round_=rep.round, entries=[_entry(rep.bt, S.ACCEPTED)], by=None)
    assert list(err.value.errors) == [f"{rep.bt.pk}.state"]
    with pytest.raises(DomainError):
        reports_load(round_=rep.round, entries=[_entry(rep.td, S.ACCEPTED)], by=world.ward_officer)

"""Two people acting on one report at once: exactly one wins, the other is told why."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from trienkhai.core.errors import DomainError
from trienkhai.core.testing import build_world
from trienkhai.reports.models import Report, Value
from trienkhai.reports.services import (
    report_accept,
    report_return,
    report_save,
    report_submit,
)
from trienkhai.reports.testing import build_round
from trienkhai.reports.tests.conftest import send

S = Report.State


def test_a_stale_version_is_refused_and_the_first_edit_kept(world, rep):
    seen = Report.objects.get(pk=rep.td.pk).version
    report_save(report=rep.td, by=world.other_ward_officer, figures={"HN": 3}, version=seen)
    with pytest.raises(DomainError) as err:
        report_save(report=rep.td, by=world.other_ward_officer, figures={"HN": 7}, version=seen)
    assert err.value.code == "stale" and err.value.field == "version"
    assert Value.objects.get(report=rep.td, indicator__code="HN").number == 3


def test_an_accept_on_a_page_opened_before_a_resubmission_is_refused(world, rep):
    cell = send(rep.cell, rep.cell_officer)
    seen = cell.version
    report_return(report=cell, by=world.ward_officer, comment="Sửa HN")
    report_submit(
        report=report_save(report=cell, by=rep.cell_officer, figures={"HN": 4}),
        by=rep.cell_officer,
    )
    with pytest.raises(DomainError) as err:
        report_accept(report=cell, by=world.ward_officer, version=seen)
    assert err.value.code == "stale"
    assert Report.objects.get(pk=cell.pk).state == S.SUBMITTED


def _race(actions) -> tuple[list, list[DomainError]]:
    """Run the actions in threads released together; (results, domain errors)."""
    start = threading.Barrier(len(actions))
    results, errors, crashes = [], [], []

    def run(action) -> None:
        try:
            start.wait(timeout=10)
            results.append(action())
        except DomainError as exc:
            errors.append(exc)
        except BaseException as exc:  # reported by the main thread
            crashes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not crashes, crashes
    return results, errors


@pytest.fixture
def racing(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the version tests above cover it")
    world = build_world()
    rep = build_round(world)
    cell = send(rep.cell, rep.cell_officer)
    return world, rep, cell


def test_of_two_accepts_at_once_exactly_one_wins(racing):
    world, rep, cell = racing
    seen = cell.version
    results, errors = _race(
        [lambda: report_accept(report=cell, by=world.ward_officer, version=seen)] * 2
    )
    assert len(results) == 1 and len(errors) == 1
    # the loser finds the report accepted, and is told by whom
    assert errors[0].code == "locked" and "Trần Thị Bình" in errors[0].message
    assert Report.objects.get(pk=cell.pk).state == S.ACCEPTED


def test_an_accept_and_a_return_at_once_leave_one_decision(racing):
    world, rep, cell = racing
    results, errors = _race(
        [
            lambda: report_accept(report=cell, by=world.ward_officer),
            lambda: report_return(report=cell, by=world.ward_officer, comment="Thiếu DV"),
        ]
    )
    assert len(results) == 1 and len(errors) == 1
    final = Report.objects.get(pk=cell.pk)
    assert final.state == results[0].state
    # without a version, the loser is told the state it found
    assert errors[0].code in ("locked", "not_submitted")


def test_twenty_submits_at_once_submit_once(racing):
    world, rep, _cell = racing
    td = Report.objects.get(pk=rep.td.pk)
    report_save(report=td, by=world.other_ward_officer, figures={"HN": 2})
    results, errors = _race([lambda: report_submit(report=td, by=world.other_ward_officer)] * 20)
    assert len(results) == 1 and len(errors) == 19
    assert {e.code for e in errors} == {"already_submitted"}
    history = Report.history.filter(id=td.pk, history_change_reason="submitted")
    assert history.count() == 1

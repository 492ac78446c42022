"""An accepted report is locked on every path: services, models, database, jobs."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from trienkhai.core.errors import DomainError
from trienkhai.reports.models import Indicator, Report, ReportLocked, Value
from trienkhai.reports.services import (
    report_return,
    report_save,
    report_set_receiver,
    report_submit,
    report_waive,
    round_refresh_feeds,
)
from trienkhai.reports.testing import build_round
from trienkhai.reports.tests.conftest import accept, send

pytestmark = pytest.mark.django_db
S = Report.State


@pytest.fixture
def accepted(world, rep):
    return accept(send(rep.cell, rep.cell_officer, DV=40, GC="Ổn định"), world.ward_officer)


def test_every_service_refuses_an_accepted_report(world, rep, accepted):
    calls = [
        lambda: report_save(report=accepted, by=rep.cell_officer, figures={"HN": 9}),
        lambda: report_submit(report=accepted, by=rep.cell_officer),
        lambda: report_return(report=accepted, by=world.ward_officer, comment="x"),
        lambda: report_waive(report=accepted, by=world.ward_officer, reason="x"),
        lambda: report_set_receiver(report=accepted, receiver=world.tan_dinh, by=None),
    ]
    for call in calls:
        with pytest.raises(DomainError) as err:
            call()
        assert err.value.code == "locked"
        assert "chỉ Đảng ủy phường Bến Thành mới có thể mở lại" in err.value.message
    assert Value.objects.get(report=accepted, indicator__code="HN").number == 1


def test_the_model_refuses_to_change_or_delete_an_accepted_report(accepted):
    report = Report.objects.get(pk=accepted.pk)
    report.narrative = {"results": "Sửa lén"}
    with pytest.raises(ReportLocked):
        report.save()
    with pytest.raises(ReportLocked):
        Report.objects.get(pk=accepted.pk).delete()
    value = Value.objects.get(report=accepted, indicator__code="HN")
    value.number = 99
    with pytest.raises(ReportLocked):
        value.save()
    with pytest.raises(ReportLocked):
        value.delete()
    hn = Indicator.objects.get(version=accepted.round.version, code="DG")
    with pytest.raises(ReportLocked):
        Value(report=accepted, indicator=hn, number=5).save()


def test_the_database_refuses_what_bypasses_the_models(accepted):
    sql = f"UPDATE {Value._meta.db_table} SET number = 99 WHERE report_id = %s"  # noqa: S608
    attempts = [
        lambda: Report.objects.filter(pk=accepted.pk).update(narrative={"results": "x"}),
        lambda: Report.objects.filter(pk=accepted.pk).update(symbol="99-BC/ĐU"),
        lambda: Value.objects.filter(report=accepted).update(number=99),
        lambda: connection.cursor().execute(sql, [accepted.pk]),
        lambda: Value.objects.bulk_create(
            [Value(report=accepted, indicator=Indicator.objects.get(code="DG"), number=1)]
        ),
    ]
    if connection.vendor == "postgresql":  # see migration 0002 for SQLite
        attempts += [
            lambda: Value.objects.filter(report=accepted).delete(),
            lambda: Report.objects.filter(pk=accepted.pk)._raw_delete(connection.alias),
        ]
    for attempt in attempts:
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            attempt()
    assert Value.objects.filter(report=accepted).count() == 3
    assert set(Value.objects.filter(report=accepted).values_list("number", flat=True)) != {99}
    assert Report.objects.get(pk=accepted.pk).symbol == ""
    # routing may follow the tree; the state may move when reopened
    assert Report.objects.filter(pk=accepted.pk).update(unit_path=accepted.unit_path) == 1


def test_the_feeds_job_leaves_accepted_and_submitted_reports_alone(world, rep, accepted):
    from trienkhai.reports.models import Indicator

    changed = round_refresh_feeds(round_=rep.round)
    assert changed == 0  # the form has no fed indicator: nothing to move
    Indicator.objects.filter(version=rep.round.version, code="HN").update(
        source=Indicator.Source.TASK_DONE
    )
    assert round_refresh_feeds(round_=rep.round) == 0  # no task: nothing computed
    assert Value.objects.get(report=accepted, indicator__code="HN").number == 1


def test_only_an_operator_s_purge_deletes_accepted_reports(world, rep, accepted):
    from trienkhai.reports.maintenance import purge_rounds
    from trienkhai.reports.models import Round

    if connection.vendor == "postgresql":
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Report.objects.filter(round=rep.round).delete()
    assert purge_rounds(Round.objects.filter(pk=rep.round.pk)) == 1
    assert not Report.objects.exists() and not Value.objects.exists()
    # the guard is back once the purge's transaction ended
    rebuilt = accept(send(build_round(world, rep.form).cell, rep.cell_officer), world.ward_officer)
    if connection.vendor == "postgresql":
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Value.objects.filter(report=rebuilt).delete()

"""Draft → submitted → returned or accepted; waived; reopened — each by the right person only."""

from __future__ import annotations

import pytest

from trienkhai.core.errors import DomainError
from trienkhai.reports.models import Report
from trienkhai.reports.services import (
    ReportInvalid,
    report_accept,
    report_reopen,
    report_return,
    report_save,
    report_submit,
    report_waive,
)
from trienkhai.reports.tests.conftest import accept, fill, send

pytestmark = pytest.mark.django_db
S = Report.State


def _code(call, **kwargs) -> str:
    with pytest.raises(DomainError) as err:
        call(**kwargs)
    return err.value.code


def test_a_report_goes_draft_submitted_returned_submitted_accepted(world, rep):
    cell = send(rep.cell, rep.cell_officer)
    assert cell.state == S.SUBMITTED and cell.first_submitted_on is not None
    returned = report_return(report=cell, by=world.ward_officer, comment="Thiếu số liệu DV")
    assert returned.state == S.RETURNED and returned.comment == "Thiếu số liệu DV"
    fixed = fill(returned, rep.cell_officer, DV=40)
    assert fixed.state == S.RETURNED  # saving keeps it with its unit
    again = report_submit(report=fixed, by=rep.cell_officer)
    assert again.state == S.SUBMITTED and again.comment == ""
    done = report_accept(report=again, by=world.ward_officer)
    assert done.state == S.ACCEPTED and done.decided_by == world.ward_officer
    assert done.version > cell.version
    actions = list(
        Report.history.filter(id=done.pk)
        .order_by("history_id")
        .values_list("history_change_reason", flat=True)
    )
    assert actions == [
        "created",
        "saved",
        "submitted",
        "returned",
        "saved",
        "submitted",
        "accepted",
    ]


def test_only_the_unit_writes_and_sends_its_report(world, rep):
    assert _code(report_save, report=rep.bt, by=world.other_ward_officer, figures={"HN": 1}) == (
        "forbidden"
    )
    assert _code(report_submit, report=rep.bt, by=world.city_leader) == "forbidden"
    assert _code(report_save, report=rep.bt, by=world.observer, figures={}) == "forbidden"


def test_only_the_receiver_returns_accepts_and_waives(world, rep):
    cell = send(rep.cell, rep.cell_officer)
    for who in (rep.cell_officer, world.other_ward_officer, world.city_leader, world.observer):
        assert _code(report_accept, report=cell, by=who) == "forbidden"
        assert _code(report_return, report=cell, by=who, comment="x") == "forbidden"
        assert _code(report_waive, report=cell, by=who, reason="x") == "forbidden"
    assert report_accept(report=cell, by=world.ward_officer).state == S.ACCEPTED


def test_returning_needs_a_comment_and_a_submitted_report(world, rep):
    cell = send(rep.cell, rep.cell_officer)
    assert _code(report_return, report=cell, by=world.ward_officer, comment="  ") == "required"
    assert _code(report_return, report=rep.td, by=world.city_leader, comment="x") == (
        "not_submitted"
    )
    assert _code(report_accept, report=rep.td, by=world.city_leader) == "not_submitted"


def test_submitting_requires_the_required_figures(world, rep):
    with pytest.raises(ReportInvalid) as err:
        report_submit(report=rep.td, by=world.other_ward_officer)
    assert err.value.errors == {"figure-HN": "Bắt buộc: nhập chỉ tiêu này trước khi gửi."}
    assert Report.objects.get(pk=rep.td.pk).state == S.DRAFT


def test_a_receiver_accepts_only_once_its_reporter_s_own_reporters_are_settled(world, rep):
    bt = send(rep.bt, world.ward_officer)
    assert _code(report_accept, report=bt, by=world.city_leader) == "reporters_pending"
    cell = send(rep.cell, rep.cell_officer)
    assert _code(report_accept, report=bt, by=world.city_leader) == "reporters_pending"
    report_waive(report=cell, by=world.ward_officer, reason="Chi bộ mới thành lập")
    assert report_accept(report=bt, by=world.city_leader).state == S.ACCEPTED


def test_the_owner_s_report_is_final_when_sent_once_everything_below_is_settled(world, rep):
    with pytest.raises(DomainError) as err:
        send(rep.city, world.city_leader)
    assert err.value.code == "reporters_pending" and "Tân Định" in err.value.message
    accept(send(rep.cell, rep.cell_officer), world.ward_officer)
    accept(send(rep.bt, world.ward_officer), world.city_leader)
    report_waive(report=rep.td, by=world.city_leader, reason="Sáp nhập")
    rep.city.refresh_from_db()
    final = report_submit(report=rep.city, by=world.city_leader)
    assert final.state == S.ACCEPTED and final.decided_by == world.city_leader
    # only the City itself reopens its own final report
    assert _code(report_reopen, report=final, by=world.ward_officer, reason="x") == "forbidden"
    reopened = report_reopen(report=final, by=world.city_leader, reason="Bổ sung số liệu")
    assert reopened.state == S.RETURNED and reopened.comment == "Bổ sung số liệu"


def test_reopening_needs_the_receiver_a_reason_and_its_own_report_still_open(world, rep):
    cell = accept(send(rep.cell, rep.cell_officer), world.ward_officer)
    assert _code(report_reopen, report=cell, by=world.ward_officer, reason=" ") == "required"
    assert _code(report_reopen, report=cell, by=rep.cell_officer, reason="x") == "forbidden"
    assert _code(report_reopen, report=cell, by=world.city_leader, reason="x") == "forbidden"
    send(rep.bt, world.ward_officer)  # Bến Thành's report is built on the cell's
    assert _code(report_reopen, report=cell, by=world.ward_officer, reason="x") == ("receiver_sent")
    report_return(report=Report.objects.get(pk=rep.bt.pk), by=world.city_leader, comment="Sửa")
    reopened = report_reopen(report=cell, by=world.ward_officer, reason="Số liệu DV sai")
    assert reopened.state == S.RETURNED and reopened.comment == "Số liệu DV sai"
    reason = Report.history.filter(id=cell.pk).latest("history_id")
    assert reason.history_change_reason == "reopened" and reason.comment == "Số liệu DV sai"
    assert reason.history_user == world.ward_officer


def test_a_waived_report_is_no_longer_editable_until_reopened(world, rep):
    waived = report_waive(report=rep.cell, by=world.ward_officer, reason="Không phát sinh")
    assert waived.state == S.WAIVED
    assert _code(report_save, report=waived, by=rep.cell_officer, figures={"HN": 1}) == "waived"
    back = report_reopen(report=waived, by=world.ward_officer, reason="Nhầm")
    assert back.state == S.DRAFT

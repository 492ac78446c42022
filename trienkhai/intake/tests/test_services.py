"""intake_confirm: the document, its tasks and their targets, all in one transaction."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.errors import DomainError
from trienkhai.documents.models import Document
from trienkhai.intake.services import TaskDraft, TaskDraftError, intake_confirm
from trienkhai.intake.tests.helpers import SEED_TEXT
from trienkhai.tasks.models import Assignment, Target, Task
from trienkhai.units.models import Unit


@pytest.fixture(autouse=True)
def _june_2020():
    with time_machine.travel(dt.datetime(2020, 6, 5, 9, 0), tick=False):
        yield


def _counts() -> tuple[int, int, int, int]:
    return (
        Document.objects.count(),
        Task.objects.count(),
        Target.objects.count(),
        Assignment.objects.count(),
    )


def _confirm(world, chain, tasks, **kw):
    fields = {
        "by": world.city_leader,
        "issuer": world.city,
        "text": SEED_TEXT,
        "title": "Thực hiện Nghị quyết 52-NQ/TW",
        "issue_date": dt.date(2020, 6, 3),
        "implements": [chain.nq52, chain.hd116],
        "tasks": tasks,
    }
    fields.update(kw)
    return intake_confirm(**fields)


def test_it_creates_the_document_tasks_and_assignments(world, chain, cadre_committee):
    done = _confirm(
        world,
        chain,
        [
            TaskDraft(
                title="Xây dựng Chương trình hành động của Thành ủy",
                kind=Task.Kind.PLAN,
                clause="Đoạn 7",
                due_date=dt.date(2020, 6, 30),
                units=[cadre_committee],
            ),
            TaskDraft(
                title="Tổ chức học tập, quán triệt Nghị quyết 52",
                kind=Task.Kind.STUDY,
                rule_kinds=[Unit.Kind.PARTY_COMMITTEE],
                rule_depth=1,
                role=Target.Role.SUPPORT,
            ),
            TaskDraft(
                title="Báo cáo kết quả hằng năm",
                kind=Task.Kind.REPORT,
                recurrence=Task.Recurrence.ANNUAL,
                recurrence_day=31,
                recurrence_month=12,
                due_date=dt.date(2020, 12, 31),  # ignored: a recurring task has none
            ),
        ],
    )
    doc = done.document
    assert doc.owner == world.city and doc.issuer_unit == world.city
    assert doc.text == SEED_TEXT and doc.created_by == world.city_leader
    assert set(doc.implements.all()) == {chain.nq52, chain.hd116}
    plan, study, report = done.tasks
    assert plan.source_document == doc and plan.clause == "Đoạn 7"
    assert plan.due_date == dt.date(2020, 6, 30)
    assert [a.unit for a in plan.assignments.all()] == [cadre_committee]
    assert {a.unit for a in study.assignments.all()} == {world.ben_thanh, world.tan_dinh}
    assert {a.role for a in study.assignments.all()} == {Target.Role.SUPPORT}
    assert report.recurrence == "annual" and report.due_date is None
    assert not report.targets.exists()
    assert done.assignments == 3
    # history on every row, with who did it
    assert {h.history_user for h in doc.history.all()} == {world.city_leader}
    assert doc.history.filter(history_type="+").count() == 1
    assert {h.history_user for h in plan.history.all()} == {world.city_leader}
    assert {h.history_user for h in plan.targets.get().history.all()} == {world.city_leader}
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.user == world.city_leader
    assert event.detail == {
        "source": "intake",
        "document": doc.pk,
        "tasks": [plan.pk, study.pk, report.pk],
        "assignments": 3,
    }


def test_a_document_from_above_keeps_its_issuers_name(world, chain):
    done = intake_confirm(
        by=world.ward_officer,
        issuer=world.ben_thanh,
        text=SEED_TEXT,
        title="Thư của Ban Thường vụ Thành ủy về Nghị quyết 52",
        issuer_name="Ban Thường vụ Thành ủy",
        tasks=[TaskDraft(title="Học tập Nghị quyết 52", units=[world.ben_thanh_cell])],
    )
    doc = done.document
    assert doc.owner == world.ben_thanh and doc.issuer_unit is None
    assert doc.issuer_name == "Ban Thường vụ Thành ủy"
    assert done.tasks[0].issuer == world.ben_thanh


def test_a_refused_target_rolls_everything_back(world, chain):
    before = _counts()
    with pytest.raises(TaskDraftError) as caught:
        _confirm(
            world,
            chain,
            [
                TaskDraft(title="Tổ chức học tập", units=[world.ben_thanh]),
                # no active cadre committee under the City in the test tree
                TaskDraft(title="Xây dựng Chương trình", rule_kinds=[Unit.Kind.CADRE_COMMITTEE]),
            ],
        )
    assert caught.value.index == 1 and caught.value.code == "no_match"
    assert _counts() == before
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).exists()


def test_a_task_outside_the_issuers_subtree_is_refused(world, chain):
    before = _counts()
    with pytest.raises(TaskDraftError) as caught:
        intake_confirm(
            by=world.ward_officer,
            issuer=world.ben_thanh,
            text=SEED_TEXT,
            title="Kế hoạch của phường",
            tasks=[TaskDraft(title="Học tập", units=[world.tan_dinh])],
        )
    assert caught.value.code == "outside" and caught.value.field == "units"
    assert _counts() == before


def test_only_who_acts_for_the_issuer_can_confirm(world, chain):
    before = _counts()
    for user in (world.ward_officer, world.observer):
        with pytest.raises(DomainError) as caught:
            _confirm(world, chain, [TaskDraft(title="Học tập")], by=user)
        assert caught.value.code == "forbidden"
    assert _counts() == before


def test_a_duplicate_symbol_is_refused_with_nothing_created(world, chain):
    before = _counts()
    with pytest.raises(DomainError) as caught:
        _confirm(world, chain, [TaskDraft(title="Học tập")], symbol="2156-CV/TU")
    assert caught.value.code == "duplicate" and caught.value.field == "symbol"
    assert _counts() == before


def test_a_classified_text_is_refused_and_the_refusal_stays_in_the_audit_log(world, chain):
    before = _counts()
    text = "MẬT\n\nBan Thường vụ yêu cầu các chi bộ học tập Nghị quyết."
    with pytest.raises(DomainError) as caught:
        _confirm(world, chain, [TaskDraft(title="Học tập")], text=text)
    assert caught.value.code == "classified"
    assert _counts() == before
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CLASSIFIED_REFUSED)
    assert event.detail["marker"] == "Mật" and event.user == world.city_leader


def test_nothing_is_created_without_a_task(world, chain):
    before = _counts()
    with pytest.raises(DomainError):
        _confirm(world, chain, [])
    assert _counts() == before

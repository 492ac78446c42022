"""The demo's cascade: the seed's City letter turned into tasks over the 168 wards.

The tasks are those of the letter (study and disseminate; the People's Committee's party
cadre committee drafts the Action Program, due in Q2 2020; every committee builds its plan
and roadmap, linked to the Smart City project; ward committees plan inspection and
supervision; annual evaluation and report). The Action Program keeps its real 2020 deadline;
the other deadlines are set relative to the day the demo is built, so the dashboard always
shows a roll-out in motion: some wards on time, some late, some overdue with a reason, some
that never updated. Statuses are pseudo-random with a fixed seed. Everything goes through the
services, so counters and history are those of real use.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from trienkhai.documents.models import Document
from trienkhai.documents.services import document_create
from trienkhai.tasks.models import Assignment, Target, Task
from trienkhai.tasks.services import (
    assignment_complete,
    assignment_set_programs,
    assignment_update,
    program_create,
    target_add,
    task_create,
)
from trienkhai.units.models import Unit

K = Unit.Kind

PROGRESS_TEXTS = {
    Task.Kind.STUDY: [
        "Đã tổ chức hội nghị quán triệt cho Ban Chấp hành và cán bộ chủ chốt",
        "Đã quán triệt đến các chi bộ; đang tổ chức cho đoàn viên, hội viên",
        "Đã đăng tải nội dung Nghị quyết trên trang thông tin điện tử phường",
    ],
    Task.Kind.PLAN: [
        "Đã xây dựng dự thảo kế hoạch, đang lấy ý kiến các chi bộ",
        "Đã trình Ban Thường vụ Đảng ủy cho ý kiến dự thảo",
        "Đang rà soát lộ trình gắn với Đề án đô thị thông minh",
    ],
    Task.Kind.INSPECTION: [
        "Đã dự thảo kế hoạch kiểm tra, giám sát các chi bộ trực thuộc",
        "Đã phân công thành viên Ủy ban Kiểm tra phụ trách",
    ],
    Task.Kind.REPORT: [
        "Đã tổng hợp số liệu từ các khu phố",
        "Đang hoàn chỉnh dự thảo báo cáo",
    ],
}
REASONS = [
    "Chờ tài liệu hướng dẫn của cấp trên",
    "Đang kiện toàn cấp ủy sau sắp xếp đơn vị hành chính",
    "Trùng thời gian chuẩn bị Đại hội Đảng bộ phường",
    "Cán bộ phụ trách nghỉ chế độ, đã phân công người thay",
    "Chờ ý kiến của Thường trực Đảng ủy",
]


@dataclass
class CascadeResult:
    tasks: int = 0
    assignments: int = 0
    updates: int = 0


class CascadeBuilder:
    def __init__(self, *, today: dt.date, seed: int = 52) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.result = CascadeResult()

    def _days(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def _progress(self, a: Assignment, *, by, late: bool, percent: int | None = None) -> None:
        assignment_update(
            assignment=a,
            by=by,
            text=self.rng.choice(PROGRESS_TEXTS[a.task.kind]),
            progress=percent if percent is not None else self.rng.choice([20, 30, 50, 60, 70, 80]),
            reason=self.rng.choice(REASONS) if late else "",
            today=self.today,
        )
        self.result.updates += 1

    def _done(self, a: Assignment, *, by, on: dt.date, output: Document | None = None) -> None:
        late = a.due_date is not None and on > a.due_date
        assignment_complete(
            assignment=a,
            by=by,
            completed_on=on,
            output_document=output,
            reason=self.rng.choice(REASONS) if late else "",
            text="" if output else self.rng.choice(PROGRESS_TEXTS[a.task.kind]),
            today=max(on, self.today),
        )
        self.result.updates += 1

    def _spread(self, assignments: list[Assignment], weights: dict[str, int]) -> dict[str, list]:
        """Deal assignments into outcome groups with the given weights (deterministic)."""
        outcomes = list(weights)
        groups: dict[str, list] = {o: [] for o in outcomes}
        for a in assignments:
            groups[self.rng.choices(outcomes, weights=[weights[o] for o in outcomes])[0]].append(a)
        return groups

    def build(self, *, units: dict, users: dict, letter: Document, program_doc: Document) -> None:
        city, leader = units["city"], users["lanhdao.thanhuy"]
        personas = {
            units["ben_thanh"].pk: users["canbo.benthanh"],
            units["tan_dinh"].pk: users["canbo.tandinh"],
        }

        def by(a: Assignment):
            return personas.get(a.unit_id)

        smart_city = program_create(
            owner=city,
            by=leader,
            name="Đề án xây dựng Thành phố Hồ Chí Minh trở thành đô thị thông minh",
            code="ĐTTM",
            start_year=2017,
            end_year=2020,
            vision_year=2025,
            description="Đề án giai đoạn 2017 – 2020, tầm nhìn đến năm 2025.",
        )
        program_create(
            owner=city,
            by=leader,
            name="Chương trình chuyển đổi số Thành phố",
            code="CĐS",
            start_year=2021,
            end_year=2025,
            vision_year=2030,
        )
        party_rule = {
            "mode": Target.Mode.RULE,
            "under": city,
            "kinds": [K.PARTY_COMMITTEE, K.PARTY_DELEGATION],
            "depth": 1,
        }

        # 1. Study and disseminate (due three weeks ago).
        study = task_create(
            issuer=city,
            by=leader,
            title="Tổ chức nghiên cứu, học tập, quán triệt Nghị quyết 52-NQ/TW và tuyên truyền"
            " đến các tầng lớp Nhân dân",
            description="Quán triệt đến cán bộ, đảng viên, đoàn viên, hội viên toàn hệ thống chính"
            " trị; tuyên truyền đến các tầng lớp Nhân dân.",
            kind=Task.Kind.STUDY,
            source_document=letter,
            clause="Đoạn 2",
            due_date=self._days(-21),
            is_public=True,
        )
        target_add(task=study, by=leader, **party_rule, today=self._days(-60))
        self.result.tasks += 1
        study_as = list(study.assignments.select_related("task", "unit").order_by("unit__path"))
        groups = self._spread(study_as, {"on_time": 60, "late": 12, "overdue": 16, "never": 12})
        for a in groups["on_time"]:
            self._done(a, by=by(a), on=self._days(-self.rng.randint(22, 50)))
        for a in groups["late"]:
            self._done(a, by=by(a), on=self._days(-self.rng.randint(2, 18)))
        for a in groups["overdue"]:
            self._progress(a, by=by(a), late=True)

        # 2. The Action Program, drafted by the People's Committee's party cadre committee
        #    for the Standing Committee, due in Q2 2020 — done on 26/06/2020.
        program_task = task_create(
            issuer=city,
            by=leader,
            title="Tham mưu Ban Thường vụ Thành ủy xây dựng Chương trình hành động thực hiện"
            " Nghị quyết 52-NQ/TW",
            kind=Task.Kind.PLAN,
            source_document=letter,
            clause="Đoạn 5",
            due_date=dt.date(2020, 6, 30),
            expected_output="Dự thảo Chương trình hành động trình Ban Thường vụ Thành ủy",
            is_starred=True,
        )
        target_add(
            task=program_task,
            by=leader,
            mode=Target.Mode.UNITS,
            units=[units["cadre_committee"]],
            today=dt.date(2020, 6, 3),
        )
        self.result.tasks += 1
        a = program_task.assignments.get()
        assignment_complete(
            assignment=a,
            by=None,
            completed_on=dt.date(2020, 6, 26),
            text=f"Ban Thường vụ Thành ủy đã ban hành {program_doc.label}.",
            today=dt.date(2020, 6, 26),
        )
        self.result.updates += 1

        # 3. Every committee builds its plan and roadmap, linked to the Smart City project.
        plan = task_create(
            issuer=city,
            by=leader,
            title="Xây dựng kế hoạch, lộ trình thực hiện Chương trình hành động của Thành ủy",
            description="Gắn với triển khai Đề án xây dựng TPHCM trở thành đô thị thông minh.",
            kind=Task.Kind.PLAN,
            source_document=letter,
            clause="Đoạn 6",
            due_date=self._days(12),
            expected_output="Kế hoạch (KH) của cấp ủy",
            output_type="KH",
            is_starred=True,
            is_public=True,
            programs=[smart_city],
        )
        target_add(task=plan, by=leader, **party_rule, today=self._days(-30))
        self.result.tasks += 1
        plan_as = list(plan.assignments.select_related("task", "unit").order_by("unit__path"))
        groups = self._spread(plan_as, {"done": 30, "progress": 40, "never": 30})
        for n, a in enumerate(groups["done"], start=10):
            issued = self._days(-self.rng.randint(1, 25))
            kh = document_create(
                owner=a.unit,
                by=by(a),
                symbol=f"{n}-KH/ĐU",
                title=f"Kế hoạch của {a.unit.name}",
                summary="Kế hoạch thực hiện Chương trình hành động của Thành ủy thực hiện Nghị"
                " quyết số 52-NQ/TW, gắn với Đề án đô thị thông minh (số hiệu minh họa)",
                issue_date=issued,
                issuer_unit=a.unit,
                implements=[program_doc],
            )
            self._done(a, by=by(a), on=issued, output=kh)
            assignment_set_programs(assignment=a, by=by(a), programs=[smart_city])
        for a in groups["progress"]:
            self._progress(a, by=by(a), late=False)
        bt_plan = next((a for a in plan_as if a.unit_id == units["ben_thanh"].pk), None)
        if bt_plan is not None:
            self._cascade_to_cells(bt_plan, units, users)

        # 4. Ward committees plan inspection and supervision (due five days ago).
        inspection = task_create(
            issuer=city,
            by=leader,
            title="Xây dựng kế hoạch kiểm tra, giám sát việc triển khai thực hiện Nghị quyết 52"
            " của các tổ chức đảng trực thuộc",
            kind=Task.Kind.INSPECTION,
            source_document=letter,
            clause="Đoạn 7",
            due_date=self._days(-5),
        )
        target_add(
            task=inspection,
            by=leader,
            mode=Target.Mode.RULE,
            under=city,
            kinds=[K.PARTY_COMMITTEE],
            depth=1,
            today=self._days(-40),
        )
        self.result.tasks += 1
        insp_as = list(inspection.assignments.select_related("task", "unit").order_by("unit__path"))
        groups = self._spread(insp_as, {"on_time": 45, "late": 15, "overdue": 25, "never": 15})
        for a in groups["on_time"]:
            self._done(a, by=by(a), on=self._days(-self.rng.randint(6, 30)))
        for a in groups["late"]:
            self._done(a, by=by(a), on=self._days(-self.rng.randint(1, 4)))
        for a in groups["overdue"]:
            self._progress(a, by=by(a), late=True)

        # 5. Ward People's Committees evaluate every year and report to the City's.
        report = task_create(
            issuer=city,
            by=leader,
            title="Đánh giá kết quả thực hiện Nghị quyết 52 hằng năm, gửi báo cáo về UBND Thành"
            " phố",
            kind=Task.Kind.REPORT,
            source_document=letter,
            clause="Đoạn 7",
            recurrence=Task.Recurrence.ANNUAL,
            recurrence_day=15,
            recurrence_month=12,
            recurrence_start=dt.date(2025, 7, 1),
        )
        target_add(
            task=report,
            by=leader,
            mode=Target.Mode.RULE,
            under=city,
            kinds=[K.PEOPLES_COMMITTEE],
            depth=2,
            report_to=units["peoples_committee"],
            today=self.today,
        )
        self.result.tasks += 1
        for a in report.assignments.select_related("task", "unit").order_by("due_date", "pk"):
            if a.due_date < self.today:
                roll = self.rng.random()
                if roll < 0.85:
                    self._done(
                        a, by=None, on=a.due_date - dt.timedelta(days=self.rng.randint(0, 9))
                    )
                elif roll < 0.93:
                    self._done(
                        a, by=None, on=a.due_date + dt.timedelta(days=self.rng.randint(1, 12))
                    )
                else:
                    self._progress(a, by=None, late=True)
            elif self.rng.random() < 0.5:
                self._progress(a, by=None, late=False, percent=self.rng.choice([10, 20, 40]))
        self.result.assignments = Assignment.objects.count()

    def _cascade_to_cells(self, parent: Assignment, units: dict, users: dict) -> None:
        """Bến Thành breaks its plan assignment down for its party cells."""
        ward = units["ben_thanh"]
        officer = users["canbo.benthanh"]
        sub = task_create(
            issuer=ward,
            by=officer,
            title="Các chi bộ xây dựng kế hoạch thực hiện Nghị quyết 52 tại khu phố",
            kind=Task.Kind.PLAN,
            parent_assignment=parent,
            due_date=min(self._days(7), parent.due_date),
        )
        cells = list(Unit.objects.children_of(ward).of_kind(K.GRASSROOTS))
        target_add(task=sub, by=officer, mode=Target.Mode.UNITS, units=cells, today=self.today)
        self.result.tasks += 1
        parent.refresh_from_db()
        if not parent.is_done:
            assignment_update(
                assignment=parent,
                by=officer,
                text="Đã giao các chi bộ xây dựng kế hoạch tại khu phố; đang dự thảo kế hoạch"
                " của Đảng ủy phường",
                progress=30,
                today=self.today,
            )
            self.result.updates += 1
        for i, a in enumerate(sub.assignments.select_related("task", "unit").order_by("pk")):
            if i == 0:
                self._done(a, by=None, on=self._days(-2))
            elif i == 1:
                self._progress(a, by=None, late=False)

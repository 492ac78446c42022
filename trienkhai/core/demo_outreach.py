"""The demo's study sessions, information for the public, and inspection and supervision.

On top of the cascade (``demo_cascade``): most of the 168 wards record one to three sessions
on Resolution 52 against their study assignment, some with the public, some none at all (so
the list of units without a session is not empty). Many wards ran articles, broadcasts or
events for the public. The City plans this year's inspection of forty wards, has visited the
wards whose window has passed (recorded by the City's inspection committee, the demo's
``kiemtra.thanhuy``), and its recommendations are at every stage: open, overdue,
reported done and awaiting verification, verified closed. Three wards supervise their party
cells. Pseudo-random with a fixed seed; everything goes through the services, so counters,
follow-up tasks and history are those of real use.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from trienkhai.documents.models import Document
from trienkhai.outreach.models import HEADCOUNT_GROUPS, PublicOutreach
from trienkhai.outreach.services import documents_asked, outreach_record, session_record
from trienkhai.oversight.models import Plan, Rating
from trienkhai.oversight.services import (
    follow_up,
    plan_create,
    recommendation_verify,
    visit_record,
)
from trienkhai.tasks.models import Assignment, Task
from trienkhai.tasks.services import assignment_complete
from trienkhai.units.models import Unit

K = Unit.Kind
REASONS = [
    "Trùng thời gian chuẩn bị Đại hội Đảng bộ phường",
    "Chờ tài liệu hướng dẫn của Ban Tuyên giáo và Dân vận Thành ủy",
    "Đang kiện toàn cấp ủy sau sắp xếp đơn vị hành chính",
]
PLACES = ["Hội trường Đảng ủy phường", "Hội trường UBND phường", "Nhà văn hóa khu phố"]
PRESENTERS = ["Đồng chí Bí thư Đảng ủy", "Đồng chí Phó Bí thư Thường trực", "Báo cáo viên Thành ủy"]
TITLES = {
    PublicOutreach.Kind.ARTICLE: "Bài viết giới thiệu Nghị quyết 52-NQ/TW trên trang thông tin"
    " điện tử phường",
    PublicOutreach.Kind.BROADCAST: "Phát thanh nội dung Nghị quyết 52 trên hệ thống loa khu phố",
    PublicOutreach.Kind.EVENT: "Hội thi tìm hiểu về cách mạng công nghiệp lần thứ tư",
    PublicOutreach.Kind.OTHER: "Pa-nô, áp phích tuyên truyền tại trụ sở khu phố",
}
RECOMMENDATIONS = [
    "Bổ sung lộ trình thực hiện Nghị quyết 52 gắn với Đề án đô thị thông minh",
    "Tổ chức quán triệt cho đoàn viên, hội viên còn chưa được học tập",
    "Hoàn thiện hồ sơ, biên bản các hội nghị học tập, quán triệt",
    "Báo cáo định kỳ kết quả thực hiện về Ban Thường vụ Thành ủy",
    "Kiện toàn bộ phận theo dõi, đôn đốc việc thực hiện",
]
TEAMS = [
    "Đồng chí Ủy viên Ủy ban Kiểm tra Thành ủy (trưởng đoàn)\nChuyên viên Ủy ban Kiểm tra"
    " Thành ủy\nChuyên viên Ban Tuyên giáo và Dân vận Thành ủy",
]


@dataclass
class OutreachResult:
    sessions: int = 0
    items: int = 0
    visits: int = 0
    recommendations: int = 0


class OutreachBuilder:
    def __init__(self, *, today: dt.date, seed: int = 53) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.result = OutreachResult()

    def _days(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def _session(self, a: Assignment, *, by, day: dt.date, share: float, complete: bool) -> None:
        rng, unit = self.rng, a.unit
        attendance = {
            g: int(getattr(unit, g) * min(1.0, share * rng.uniform(0.7, 1.2)))
            for g in HEADCOUNT_GROUPS
        }
        if not any(attendance.values()):
            return
        attendance["public"] = rng.choice([0, 0, 50, 120, 300])
        late = a.bucket_on(self.today) == Assignment.Bucket.OVERDUE or (
            complete and a.due_date is not None and self.today > a.due_date
        )
        session_record(
            assignment=a,
            by=by,
            documents=self.documents[: rng.randint(1, len(self.documents))],
            attendance=attendance,
            held_on=day,
            form=rng.choice(["in_person", "in_person", "mixed", "online"]),
            location=rng.choice(PLACES),
            presenter=rng.choice(PRESENTERS),
            minutes="Quán triệt các quan điểm, mục tiêu, nhiệm vụ và giải pháp của Nghị quyết 52.",
            completed=complete,
            reason=rng.choice(REASONS) if late and not a.reason else "",
            today=self.today,
        )
        a.refresh_from_db()
        self.result.sessions += 1

    def build(self, *, units: dict, users: dict) -> OutreachResult:
        rng = self.rng
        city = units["city"]
        personas = {
            units["ben_thanh"].pk: users["canbo.benthanh"],
            units["tan_dinh"].pk: users["canbo.tandinh"],
        }
        study = Task.objects.get(issuer=city, kind=Task.Kind.STUDY, parent_assignment=None)
        assignments = list(
            study.assignments.active().select_related("unit", "task").order_by("unit__path")
        )
        docs = Document.objects.in_bulk(documents_asked(assignments[0]))
        self.documents = sorted(docs.values(), key=lambda d: d.issue_date or self.today)
        for a in assignments:
            if a.unit_id != units["ben_thanh"].pk and rng.random() < 0.22:
                continue  # a unit that has not studied yet
            n = rng.choice([1, 1, 1, 2])
            days = sorted(rng.sample(range(1, 75), n), reverse=True)
            for i, back in enumerate(days):
                self._session(
                    a,
                    by=personas.get(a.unit_id),
                    day=self._days(-back),
                    share=rng.uniform(0.35, 0.75),
                    complete=i == n - 1 and not a.is_done and rng.random() < 0.3,
                )
        self._public(assignments, personas)
        self._oversight(units, users, [a.unit for a in assignments])
        return self.result

    def _public(self, assignments: list[Assignment], personas: dict) -> None:
        rng = self.rng
        for a in assignments:
            if rng.random() < 0.6:
                continue
            for _k in range(rng.choice([1, 1, 2])):
                kind = rng.choice(list(TITLES))
                outreach_record(
                    unit=a.unit,
                    by=personas.get(a.unit_id),
                    kind=kind,
                    title=TITLES[kind],
                    held_on=self._days(-rng.randint(1, 90)),
                    channel=rng.choice(
                        ["Trang thông tin điện tử phường", "Loa truyền thanh khu phố", "Zalo OA"]
                    ),
                    audience=rng.choice([None, 500, 1200, 3000, 8000]),
                    documents=self.documents[-1:],
                    today=self.today,
                )
                self.result.items += 1

    # --- inspection and supervision --------------------------------------------------------

    def _oversight(self, units: dict, users: dict, wards: list[Unit]) -> None:
        rng, year = self.rng, self.today.year
        # the City's inspection committee plans and records its inspections
        city = units["city"]
        leader = users.get("kiemtra.thanhuy") or users["lanhdao.thanhuy"]
        ratings = list(Rating.objects.filter(is_active=True).order_by("rank"))
        wards = [w for w in wards if w.kind == K.PARTY_COMMITTEE and w.code]
        chosen = sorted(rng.sample(wards, min(40, len(wards))), key=lambda u: u.path)
        targets = []
        for i, ward in enumerate(chosen):
            start = dt.date(year, 1 + i * 12 // len(chosen), rng.randint(1, 20))
            targets.append((ward, start, start + dt.timedelta(days=rng.randint(2, 6))))
        plan = plan_create(
            unit=city,
            by=leader,
            year=year,
            kind=Plan.Kind.INSPECTION,
            title=f"Kiểm tra việc thực hiện Nghị quyết 52-NQ/TW năm {year}",
            description="Kiểm tra việc học tập, quán triệt, xây dựng kế hoạch, lộ trình thực"
            " hiện Nghị quyết 52 của các đảng ủy phường, xã.",
            documents=self.documents[-1:],
            targets=targets,
        )
        for target in plan.targets.select_related("unit").order_by("starts_on", "pk"):
            if target.ends_on >= self._days(-3) or rng.random() < 0.15:
                continue  # window still to come, or missed
            self._visit(plan, target.unit, target.starts_on, target.ends_on, ratings, leader)
        # an unplanned visit of a ward with no window in the plan
        others = [w for w in wards if w not in chosen]
        if others and self.today >= dt.date(year, 2, 1):
            day = self._days(-rng.randint(10, 25))
            if day.year == year:
                self._visit(plan, rng.choice(others), day, day, ratings, leader)
        for code_unit in (units["ben_thanh"], units["tan_dinh"]):
            self._ward_plan(code_unit, ratings, users)

    def _visit(self, plan, unit, starts_on, ends_on, ratings, by) -> None:
        rng = self.rng
        recorded = min(self.today, ends_on + dt.timedelta(days=2))
        recs = [
            (text, ends_on + dt.timedelta(days=rng.randint(30, 60)))
            for text in rng.sample(RECOMMENDATIONS, rng.choice([0, 1, 1, 2, 3]))
        ]
        visit = visit_record(
            plan=plan,
            by=by,
            unit=unit,
            starts_on=starts_on,
            ends_on=ends_on,
            team=TEAMS[0] if plan.kind == Plan.Kind.INSPECTION else "Thường trực Đảng ủy phường",
            rating=rng.choices(ratings, weights=[3, 4, 2, 1][: len(ratings)])[0],
            conclusion="Cơ bản triển khai đúng tinh thần Nghị quyết; còn một số hạn chế.",
            findings="Một số chi bộ chưa tổ chức học tập đầy đủ cho đoàn viên, hội viên.",
            recommendations=recs,
            today=recorded,
        )
        self.result.visits += 1
        for rec in visit.recommendations.order_by("pk"):
            self.result.recommendations += 1
            a = follow_up(rec)
            if a is None or rng.random() < 0.35:
                continue  # still open (overdue once its due date passes)
            done_on = min(self.today, rec.due_date + dt.timedelta(days=rng.randint(-20, 5)))
            if done_on <= visit.ends_on:
                continue
            assignment_complete(
                assignment=a,
                by=None,
                text="Đã khắc phục theo kiến nghị của đoàn kiểm tra",
                completed_on=done_on,
                reason=rng.choice(REASONS) if done_on > rec.due_date else "",
                today=done_on,
            )
            if rng.random() < 0.65 and done_on < self.today:
                recommendation_verify(
                    recommendation=rec,
                    by=None,
                    note="Đã kiểm tra, đạt yêu cầu",
                    today=min(self.today, done_on + dt.timedelta(days=3)),
                )

    def _ward_plan(self, ward: Unit, ratings, users) -> None:
        year = self.today.year
        cells = list(Unit.objects.children_of(ward).of_kind(K.GRASSROOTS).order_by("path"))
        if not cells:
            return
        targets = []
        for i, cell in enumerate(cells):
            start = dt.date(year, min(12, 3 + 3 * i), 10)
            targets.append((cell, start, start + dt.timedelta(days=1)))
        plan = plan_create(
            unit=ward,
            by=None,
            year=year,
            kind=Plan.Kind.SUPERVISION,
            title=f"Giám sát các chi bộ thực hiện Nghị quyết 52 năm {year}",
            targets=targets,
        )
        for target in plan.targets.select_related("unit").order_by("starts_on", "pk")[:1]:
            if target.ends_on < self._days(-3):
                self._visit(plan, target.unit, target.starts_on, target.ends_on, ratings, None)

"""The demo's periodic reports: the annual evaluation of Resolution 52, 2020–2025.

As the seed asks ("đánh giá kết quả hàng năm"), every ward party committee evaluates its
year and reports to the City Party Committee, which consolidates for the Politburo. One form
(the five-part outline of a report and twelve indicators, two of them counted by the system:
the party organizations that issued their plan, from the cascade, and the share of party
members who attended the study sessions, from the study records), one round per year:

* 2020–2024: every ward's report accepted (a few first sent late, a few returned once and
  fixed), the City's consolidated report finalized;
* 2025: the year in motion — reports accepted, awaiting review, returned with a comment
  (Bến Thành's, so its officer has something to fix), sent late, never sent (Tân Định's),
  and one waived; the City's report still a draft that opens pre-filled with what the
  accepted wards sent, downloadable as .docx.

Everything goes through the reports services: closed years and most of 2025 through
``reports_load`` (the archive loader: every figure validated, state and history written in
bulk, with the days things happened), the personas' reports and a few others through the
pages' own services (save, submit, return, accept), their moments set afterwards.
Figures are pseudo-random with a fixed seed: every demo has the same ones.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from trienkhai.reports.models import Indicator, Report, Round
from trienkhai.reports.services import (
    IndicatorData,
    LoadEntry,
    form_create,
    report_accept,
    report_return,
    report_save,
    report_submit,
    report_waive,
    reports_load,
    round_create,
)
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit

K = Unit.Kind
YEARS = range(2020, 2026)
CURRENT = 2025
PLACE = "Thành phố Hồ Chí Minh"


def indicators(plan_task: Task | None, study_task: Task | None = None) -> list[IndicatorData]:
    fed = []
    if plan_task is not None:
        fed.append(
            IndicatorData(
                "KHCS",
                "Số tổ chức đảng đã ban hành kế hoạch thực hiện (hệ thống tự tính)",
                unit_of_measure="tổ chức",
                source=Indicator.Source.TASK_DONE,
                source_task=plan_task,
            )
        )
    if study_task is not None:
        fed.append(
            IndicatorData(
                "TLHTT",
                "Tỷ lệ đảng viên đã tham gia học tập, quán triệt (hệ thống tự tính)",
                type=Indicator.Type.PERCENT,
                aggregation=Indicator.Aggregation.AVG,
                unit_of_measure="%",
                source=Indicator.Source.STUDY_PARTY_PERCENT,
                source_task=study_task,
            )
        )
    return [
        IndicatorData(
            "HN",
            "Số hội nghị học tập, quán triệt Nghị quyết 52-NQ/TW đã tổ chức",
            unit_of_measure="hội nghị",
            min_value=Decimal(0),
            max_value=Decimal(200),
            required=True,
        ),
        IndicatorData(
            "DVHT",
            "Số cán bộ, đảng viên tham gia học tập, quán triệt",
            unit_of_measure="người",
            min_value=Decimal(0),
            required=True,
        ),
        IndicatorData(
            "DVTS", "Tổng số đảng viên của đảng bộ", unit_of_measure="người", min_value=Decimal(0)
        ),
        IndicatorData(
            "TLHT",
            "Tỷ lệ đảng viên tham gia học tập, quán triệt",
            type=Indicator.Type.PERCENT,
            aggregation=Indicator.Aggregation.WEIGHTED_AVG,
            weight_code="DVTS",
            unit_of_measure="%",
        ),
        IndicatorData(
            "KH",
            "Đã ban hành kế hoạch thực hiện Chương trình hành động của Thành ủy",
            type=Indicator.Type.YES_NO,
            aggregation=Indicator.Aggregation.COUNT_YES,
            required=True,
        ),
        *fed,
        IndicatorData(
            "DVC",
            "Số dịch vụ công trực tuyến toàn trình đã cung cấp",
            unit_of_measure="dịch vụ",
            min_value=Decimal(0),
        ),
        IndicatorData(
            "HSTT",
            "Tỷ lệ hồ sơ thủ tục hành chính giải quyết trực tuyến",
            type=Indicator.Type.PERCENT,
            aggregation=Indicator.Aggregation.AVG,
            unit_of_measure="%",
        ),
        IndicatorData(
            "MH",
            "Số mô hình, sáng kiến ứng dụng chuyển đổi số",
            unit_of_measure="mô hình",
            min_value=Decimal(0),
        ),
        IndicatorData(
            "DG",
            "Tự đánh giá mức độ hoàn thành (thang điểm 10)",
            type=Indicator.Type.DECIMAL,
            aggregation=Indicator.Aggregation.AVG,
            unit_of_measure="điểm",
            min_value=Decimal(0),
            max_value=Decimal(10),
        ),
        IndicatorData(
            "GC", "Ghi chú", type=Indicator.Type.TEXT, aggregation=Indicator.Aggregation.NONE
        ),
    ]


RESULTS = [
    "Đảng ủy đã tổ chức {hn} hội nghị học tập, quán triệt Nghị quyết 52-NQ/TW cho {dv} cán bộ,"
    " đảng viên; lồng ghép tuyên truyền trong sinh hoạt chi bộ và trên trang thông tin điện tử"
    " của phường.",
    "Ban hành kế hoạch thực hiện Chương trình hành động của Thành ủy, gắn với Đề án xây dựng"
    " Thành phố thông minh; triển khai {dvc} dịch vụ công trực tuyến toàn trình, tỷ lệ hồ sơ"
    " giải quyết trực tuyến đạt {hstt}%.",
    "Hình thành {mh} mô hình, sáng kiến ứng dụng chuyển đổi số trong lãnh đạo, chỉ đạo và giải"
    " quyết thủ tục hành chính cho người dân.",
]
SHORTCOMINGS = [
    "Một số chi bộ chưa chủ động tổ chức sinh hoạt chuyên đề; hạ tầng công nghệ thông tin ở"
    " một số khu phố còn hạn chế.",
    "Tỷ lệ người dân sử dụng dịch vụ công trực tuyến chưa cao; nhân lực chuyên trách về chuyển"
    " đổi số còn thiếu.",
    "Việc cập nhật số liệu báo cáo của một số chi bộ chưa kịp thời.",
]
LESSONS = [
    "Phát huy vai trò nêu gương của cấp ủy, người đứng đầu; gắn việc học tập Nghị quyết với"
    " nhiệm vụ chính trị của địa phương.",
    "Tăng cường kiểm tra, giám sát và biểu dương kịp thời các mô hình hay, cách làm hiệu quả.",
]
DIRECTIONS = [
    "Tiếp tục đẩy mạnh chuyển đổi số, nâng cao chất lượng dịch vụ công trực tuyến; tổ chức học"
    " tập, quán triệt cho đảng viên mới kết nạp.",
]
RECOMMENDATIONS = [
    "Đề nghị Thành phố hỗ trợ kinh phí nâng cấp hạ tầng mạng và đào tạo kỹ năng số cho cán bộ.",
    "Đề nghị Thành ủy sớm ban hành hướng dẫn tiêu chí đánh giá mức độ hoàn thành.",
]
RETURN_COMMENTS = [
    "Đề nghị bổ sung tổng số đảng viên và giải trình tỷ lệ đảng viên tham gia học tập.",
    "Số hội nghị chưa khớp với kế hoạch đã gửi; đề nghị rà soát lại.",
]
WAIVE_REASON = "Đảng bộ mới thành lập sau sắp xếp, chưa đủ một năm hoạt động."


def city_document(year: int) -> dict[str, str]:
    return {
        "symbol": f"{300 + year - 2020}-BC/TU",
        "signer_title": "T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ THƯỜNG TRỰC",
        "signer_name": "Nguyễn Văn An",
        "recipients": "- Bộ Chính trị (để báo cáo),\n- Ban Tuyên giáo và Dân vận Trung ương,\n"
        "- Các đảng ủy trực thuộc Thành ủy,\n- Lưu Văn phòng Thành ủy.",
    }


@dataclass
class ReportsResult:
    rounds: int = 0
    reports: int = 0
    current_round: Round | None = None


def _deadline_days(year: int) -> int:
    return 5


class ReportsBuilder:
    def __init__(self, *, today: dt.date, seed: int = 2052) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.result = ReportsResult()

    def _figures(self, unit: Unit, year: int, plan_task: Task | None) -> dict:
        rng = self.rng
        members = unit.party_members or rng.randint(300, 3000)
        grow = 1 + 0.04 * (year - 2020)
        attended = min(members, int(members * rng.uniform(0.82, 0.99)))
        figures = {
            "HN": rng.randint(2, 8),
            "DVHT": attended + rng.randint(5, 40),
            "DVTS": members,
            "TLHT": f"{100 * attended / members:.1f}".replace(".", ","),
            "KH": "có" if rng.random() < 0.93 or year > 2021 else "không",
            "DVC": int(rng.randint(15, 60) * grow),
            "HSTT": f"{min(99.0, rng.uniform(35, 70) * grow):.1f}".replace(".", ","),
            "MH": rng.randint(0, 5),
            "DG": f"{rng.uniform(6.5, 9.6):.1f}".replace(".", ","),
        }
        if rng.random() < 0.15:
            figures["GC"] = "Số liệu đến ngày chốt 14/12."
        return figures

    def _narrative(self, figures: dict) -> dict[str, str]:
        rng = self.rng
        fmt = {
            "hn": figures["HN"],
            "dv": f"{figures['DVHT']:,}".replace(",", "."),  # 1.582, as Vietnamese write it
            "dvc": figures["DVC"],
            "hstt": figures["HSTT"],
            "mh": figures["MH"],
        }
        return {
            "results": "\n".join(t.format(**fmt) for t in RESULTS),
            "shortcomings": rng.choice(SHORTCOMINGS),
            "lessons": rng.choice(LESSONS),
            "directions": DIRECTIONS[0],
            "recommendations": rng.choice(RECOMMENDATIONS),
        }

    def _fill(self, r: Report, year: int, plan_task: Task | None, document=None, **extra) -> Report:
        """Fill a report through the page's service (for the reports a persona meets)."""
        figures = self._figures(r.unit, year, plan_task)
        figures.update(extra)
        return report_save(
            report=r,
            by=None,
            figures=figures,
            narrative=self._narrative(figures),
            today=self.today,
            **(document or self._ward_document()),
        )

    def _ward_document(self) -> dict[str, str]:
        return {
            "symbol": f"{self.rng.randint(20, 180)}-BC/ĐU",
            "signer_title": "T/M BAN THƯỜNG VỤ\nBÍ THƯ",
            "recipients": "- Ban Thường vụ Thành ủy,\n- Lưu Văn phòng Đảng ủy.",
        }

    def _stamp(self, r: Report, sent: dt.date, decided: dt.date | None) -> None:
        """Past actions happened then, not when the demo was built."""
        # the day it was first sent came with the submission (it decides "on time")
        fields = {"submitted_at": self._when(sent, 9)}
        if decided is not None:
            fields["decided_at"] = self._when(decided, 15)
        Report.objects.filter(pk=r.pk).update(**fields)

    def _when(self, day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))

    def _entry(self, r: Report, year: int, state: str, sent: dt.date, decided=None, **kw):
        figures = self._figures(r.unit, year, None)
        return LoadEntry(
            report=r,
            figures=figures,
            narrative=self._narrative(figures),
            state=state,
            sent_on=sent,
            decided_on=decided,
            document=kw.pop("document", None) or self._ward_document(),
            **kw,
        )

    def build(self, *, units: dict, users: dict, central: dict) -> ReportsResult:
        city, leader = units["city"], users["lanhdao.thanhuy"]
        plan_task = (
            Task.objects.filter(issuer=city, kind=Task.Kind.PLAN, output_type="KH")
            .order_by("pk")
            .first()
        )
        # the topic the wards' study sessions are recorded under (demo_outreach)
        study_task = (
            Task.objects.filter(issuer=city, kind=Task.Kind.STUDY, parent_assignment=None)
            .order_by("pk")
            .first()
        )
        form = form_create(
            owner=city,
            by=leader,
            name="Báo cáo đánh giá kết quả thực hiện Nghị quyết 52-NQ/TW hằng năm",
            code="BC-NQ52",
            description="Các đảng ủy phường, xã, đặc khu đánh giá kết quả thực hiện hằng năm,"
            " gửi Thành ủy tổng hợp báo cáo Bộ Chính trị (Công văn của Ban Thường vụ Thành ủy"
            " ngày 03/6/2020).",
            indicators=indicators(plan_task, study_task),
        )
        officers = {
            units["ben_thanh"].pk: users["canbo.benthanh"],
            units["tan_dinh"].pk: users["canbo.tandinh"],
        }
        for year in YEARS:
            rnd, n = round_create(
                form=form,
                owner=city,
                by=leader,
                title=f"Báo cáo kết quả thực hiện Nghị quyết 52-NQ/TW năm {year}",
                period_kind=Round.Period.ANNUAL,
                year=year,
                deadline_workdays=_deadline_days(year),
                target_mode=Round.TargetMode.RULE,
                under=city,
                kinds=[K.PARTY_COMMITTEE],
                depth=1,
                top_receiver=central["politburo"],
                place=PLACE,
                today=self.today,
            )
            self.result.rounds += 1
            self.result.reports += n
            if year < CURRENT:
                self._past(rnd, year, plan_task, leader)
            else:
                self._current(rnd, year, plan_task, leader, officers)
                self.result.current_round = rnd
        return self.result

    def _wards(self, rnd: Round) -> list[Report]:
        return list(
            Report.objects.filter(round=rnd)
            .exclude(receiver__isnull=True)
            .select_related("unit", "round")
            .order_by("unit_path")
        )

    def _past(self, rnd: Round, year: int, plan_task, leader) -> None:
        """A closed year: every ward accepted (a few first sent late), the City's final."""
        rng = self.rng
        entries = []
        for r in self._wards(rnd):
            late = rng.random() < 0.08
            if late:
                sent = rnd.deadline + dt.timedelta(days=rng.randint(1, 12))
            else:
                sent = rnd.deadline - dt.timedelta(days=rng.randint(0, 6))
            decided = sent + dt.timedelta(days=rng.randint(1, 5))
            entries.append(self._entry(r, year, Report.State.ACCEPTED, sent, decided))
        reports_load(round_=rnd, entries=entries, by=leader)
        own = Report.objects.select_related("unit").get(round=rnd, receiver__isnull=True)
        final_day = rnd.deadline + dt.timedelta(days=10)
        entry = self._entry(
            own, year, Report.State.ACCEPTED, final_day, final_day, document=city_document(year)
        )
        entry.figures = {**entry.figures, **self._consolidated(rnd, own)}
        reports_load(round_=rnd, entries=[entry], by=leader)

    def _consolidated(self, rnd: Round, own: Report) -> dict:
        """The City keeps the consolidated sums as they came (the form opens with them)."""
        from trienkhai.reports.consolidation import consolidate

        out = {}
        for fig in consolidate(rnd, own.unit_id).values():
            if fig.value is not None and fig.indicator.is_numeric and not fig.indicator.is_fed:
                out[fig.indicator.code] = round(fig.value, 1)
            elif fig.value is not None and fig.indicator.type == Indicator.Type.YES_NO:
                out[fig.indicator.code] = int(fig.value)
        return out

    def _current(self, rnd: Round, year: int, plan_task, leader, officers) -> None:
        """The year in motion. Most wards' reports are loaded as they stand; the personas'
        and a few others go through the page's services, so their history is the real one."""
        rng = self.rng
        past = self.today > rnd.deadline
        wards = self._wards(rnd)
        ben_thanh = next(r for r in wards if "Bến Thành" in r.unit.name)
        tan_dinh = next(r for r in wards if "Tân Định" in r.unit.name)
        entries, by_hand = [], 0
        for r in wards:
            if r.pk == tan_dinh.pk:
                continue  # never sent: missing once the deadline passed
            roll = rng.random()
            if r.pk == ben_thanh.pk:
                outcome = "returned"
            elif roll < 0.55:
                outcome = "accepted"
            elif roll < 0.67:
                outcome = "submitted"
            elif roll < 0.73:
                outcome = "returned"
            elif roll < 0.82 and past:
                outcome = "late"
            elif roll < 0.83:
                outcome = "waived"
            elif roll < 0.90:
                outcome = "draft"
            else:
                continue  # not even started
            late = outcome == "late"
            sent = (
                rnd.deadline + dt.timedelta(days=rng.randint(2, 20))
                if late
                else rnd.deadline - dt.timedelta(days=rng.randint(0, 5))
            )
            sent = min(sent, self.today)
            decided = min(sent + dt.timedelta(days=rng.randint(1, 4)), self.today)
            if outcome == "waived":
                report_waive(report=r, by=leader, reason=WAIVE_REASON)
            elif outcome == "draft":
                self._fill(r, year, plan_task)
            elif r.pk == ben_thanh.pk or (outcome == "accepted" and by_hand < 3):
                # through the pages' services: saved, sent, then decided by the City
                by_hand += r.pk != ben_thanh.pk
                saved = self._fill(r, year, plan_task)
                submitted = report_submit(report=saved, by=officers.get(r.unit_id), today=sent)
                if outcome == "returned":
                    report_return(report=submitted, by=leader, comment=RETURN_COMMENTS[0])
                else:
                    report_accept(report=submitted, by=leader)
                self._stamp(r, sent, decided)
            else:
                state = {
                    "accepted": Report.State.ACCEPTED,
                    "late": Report.State.ACCEPTED if rng.random() < 0.8 else "submitted",
                    "submitted": Report.State.SUBMITTED,
                    "returned": Report.State.RETURNED,
                }[outcome]
                comment = rng.choice(RETURN_COMMENTS) if state == Report.State.RETURNED else ""
                entries.append(
                    self._entry(
                        r,
                        year,
                        state,
                        sent,
                        decided if state != Report.State.SUBMITTED else None,
                        comment=comment,
                    )
                )
        reports_load(round_=rnd, entries=entries, by=leader)

"""Figures as officials type them, and a clear Vietnamese message for each mistake."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trienkhai.reports.models import Indicator, Report, Value
from trienkhai.reports.periods import cutoff_window, deadline_after, describe
from trienkhai.reports.services import ReportInvalid, parse_figure, parse_number, report_save


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12", 12.0),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("1.234", 1234.0),
        ("1.234.567,25", 1234567.25),
        (" 3 000 ", 3000.0),
        ("-4", -4.0),
        (7, 7.0),
        (2.5, 2.5),
        ("12a", None),
        ("1,2,3", None),
        ("", None),
        (True, None),
        ("nan", None),
    ],
)
def test_numbers_are_read_as_vietnamese_officials_write_them(raw, value):
    assert parse_number(raw) == value


def _ind(**kw) -> Indicator:
    return Indicator(code="X", name="X", **kw)


def test_each_mistake_gets_its_own_message():
    integer = _ind(type="integer", min_value=Decimal(0), max_value=Decimal(50))
    assert parse_figure("abc", integer)[2] == (
        "“abc” không phải là số: chỉ ghi chữ số, ví dụ 12 hoặc 12,5."
    )
    assert parse_figure("2,5", integer)[2] == "Hãy nhập số nguyên, không có phần thập phân."
    assert parse_figure("-1", integer)[2] == "Giá trị phải từ 0 trở lên."
    assert parse_figure("51", integer)[2] == "Giá trị không được vượt quá 50."
    # a consolidated sum may go beyond one unit's maximum
    assert (
        parse_figure(
            "51", _ind(type="integer", aggregation="sum", max_value=Decimal(50)), consolidating=True
        )[2]
        is None
    )
    percent = _ind(type="percent", aggregation="avg")
    assert parse_figure("120", percent)[2] == "Tỷ lệ phần trăm phải từ 0 đến 100; 120 không hợp lệ."
    assert parse_figure("99,5", percent) == (99.5, "", None)
    yes_no = _ind(type="yes_no", aggregation="count_yes")
    assert parse_figure("Có", yes_no) == (1.0, "", None)
    assert parse_figure("không", yes_no) == (0.0, "", None)
    assert parse_figure("chắc vậy", yes_no)[2] == "Hãy chọn Có hoặc Không."
    assert parse_figure("12", yes_no, consolidating=True) == (12.0, "", None)
    text = _ind(type="text", aggregation="none")
    assert parse_figure("  Ghi chú  ", text) == (None, "Ghi chú", None)
    assert parse_figure("x" * 2001, text)[2] == "Tối đa 2000 ký tự."


@pytest.mark.django_db
def test_a_save_reports_every_wrong_field_and_stores_nothing(world, rep):
    with pytest.raises(ReportInvalid) as err:
        report_save(
            report=rep.td,
            by=world.other_ward_officer,
            figures={"HN": "năm", "TL": "150", "DG": "7,5"},
            symbol="x" * 61,
        )
    assert set(err.value.errors) == {"figure-HN", "figure-TL", "symbol"}
    assert not Value.objects.filter(report=rep.td).exists()
    assert Report.objects.get(pk=rep.td.pk).version == rep.td.version


def test_decree_09_windows():
    assert cutoff_window("annual", 2020) == (
        cutoff_window("annual", 2020).__class__(
            "2020", dt.date(2019, 12, 15), dt.date(2020, 12, 14)
        )
    )
    q1 = cutoff_window("quarterly", 2021, 1)
    assert (q1.label, q1.start, q1.end) == ("2021-Q1", dt.date(2020, 12, 15), dt.date(2021, 3, 14))
    m = cutoff_window("monthly", 2020, 6)
    assert (m.start, m.end) == (dt.date(2020, 5, 15), dt.date(2020, 6, 14))
    h2 = cutoff_window("six_monthly", 2020, 2)
    assert (h2.label, h2.start, h2.end) == ("2020-H2", dt.date(2020, 6, 15), dt.date(2020, 12, 14))
    with pytest.raises(ValueError):
        cutoff_window("quarterly", 2020, 5)


def test_working_days_skip_weekends_and_tet():
    # cut-off Friday 14/01/2022 → the 2nd working day is Tuesday 18/01
    assert deadline_after(dt.date(2022, 1, 14), 2) == dt.date(2022, 1, 18)
    # Tết 2021 (10–16/02): 5 working days after Tuesday 09/02 end on Tuesday 23/02
    assert deadline_after(dt.date(2021, 2, 9), 5) == dt.date(2021, 2, 23)


def test_periods_read_as_a_title_writes_them():
    assert describe("annual", "2020") == "năm 2020"
    assert describe("quarterly", "2020-Q2") == "quý II năm 2020"
    assert describe("six_monthly", "2020-H1") == "6 tháng đầu năm 2020"
    assert describe("monthly", "2020-06") == "tháng 6 năm 2020"

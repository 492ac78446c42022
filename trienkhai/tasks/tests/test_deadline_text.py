"""Deadlines as directives write them become a due date or a recurrence."""

import datetime as dt

from trienkhai.tasks.deadline_text import read_deadline

REF = dt.date(2020, 6, 3)


def test_a_quarter_is_due_on_its_last_day():
    r = read_deadline("Thời gian trình Ban Thường vụ Thành ủy trong quý II năm 2020.", REF)
    assert r.due_date == dt.date(2020, 6, 30) and not r.recurrence


def test_an_annual_report_recurs_on_its_day_and_month():
    r = read_deadline("báo cáo định kỳ hằng năm trước ngày 15/12", REF)
    assert (r.recurrence, r.recurrence_day, r.recurrence_month) == ("annual", 15, 12)
    assert r.due_date is None


def test_a_quarterly_deadline_keeps_its_day():
    r = read_deadline("hằng quý, trước ngày 20 tháng cuối quý", REF)
    assert (r.recurrence, r.recurrence_day) == ("quarterly", 20)


def test_six_monthly_maps_to_the_task_recurrence():
    r = read_deadline("định kỳ 6 tháng (trước ngày 15/6)", REF)
    assert (r.recurrence, r.recurrence_day) == ("six_monthly", 15)


def test_an_event_has_no_date():
    r = read_deadline("xong trước Tết Nguyên đán", REF)
    assert r.found and r.due_date is None and not r.recurrence and "Tết" in r.event


def test_a_term_is_not_a_deadline():
    assert not read_deadline("nhiệm kỳ 2025–2030", REF).found


def test_a_past_deadline_with_its_year_is_still_read():
    r = read_deadline("trong quý II năm 2020", dt.date(2020, 8, 25))
    assert r.due_date == dt.date(2020, 6, 30)

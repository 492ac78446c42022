"""Focused rules of vntext: symbols, dates, deadlines, working days, units, tasks."""

import datetime as dt

import pytest

from trienkhai.vntext import read
from trienkhai.vntext.dates import find_dates, find_partial_dates, long_date_vi
from trienkhai.vntext.deadlines import deadlines, periods
from trienkhai.vntext.symbols import SYMBOL_TYPES, find_symbols, parse_symbol
from trienkhai.vntext.text import fold, fold_for_search
from trienkhai.vntext.units import split_units
from trienkhai.vntext.workdays import add_working_days, is_working_day, tet_date

D = dt.date


def test_fold_drops_marks_and_d_bar():
    assert fold("Đảng ủy Phường  Bến Thành") == "dang uy phuong ben thanh"
    assert fold_for_search(" Ủy ban\nNhân dân ") == "uy ban nhan dan"


@pytest.mark.parametrize(
    ("text", "number", "typ", "issuer"),
    [
        ("52-NQ/TW", "52", "NQ", "TW"),
        ("52 - NQ/TW", "52", "NQ", "TW"),
        ("45- KH/TU", "45", "KH", "TU"),
        ("37-QĐi/TW", "37", "QĐi", "TW"),
        ("18-KH/ĐU", "18", "KH", "ĐU"),
        ("41-CTr/TU", "41", "CTr", "TU"),
        ("62/QĐ-VPCP", "62", "QĐ", "VPCP"),
        ("16/CT-TTg", "16", "CT", "TTg"),
    ],
)
def test_it_parses_party_and_state_symbols(text, number, typ, issuer):
    s = parse_symbol(text)
    assert (s.number, s.type, s.issuer) == (number, typ, issuer)


def test_tu_is_kept_as_printed_with_a_normalised_issuer():
    s = parse_symbol("35-CT/TƯ")
    assert s.issuer == "TƯ" and s.issuer_norm == "TW"


def test_state_symbol_with_year_and_official_letter():
    s = parse_symbol("Số: 09/2019/NĐ-CP")
    assert (s.number, s.year, s.type, s.issuer) == ("09", "2019", "NĐ", "CP")
    cv = parse_symbol("3521/UBND-TH")
    assert (cv.type, cv.type_inferred, cv.issuer, cv.unit) == ("CV", True, "UBND", "TH")


def test_quoc_hoi_symbol_takes_its_type_from_the_word_before():
    (s,) = find_symbols("Căn cứ Nghị quyết số 198/2025/QH15 ngày 17/5/2025 của Quốc hội")
    assert (s.type, s.type_inferred, s.year, s.date) == ("NQ", True, "2025", "2025-05-17")
    assert SYMBOL_TYPES["QĐi"] == "Quy định"


def test_symbol_date_and_repeats():
    text = "Chỉ thị số 35-CT/TW ngày 30/5/2019 … Chỉ thị số 35 - CT/TW"
    syms = find_symbols(text)
    assert len(syms) == 1 and syms[0].date == "2019-05-30"


def test_dates_in_all_forms_and_not_figures():
    text = "ngày 3 tháng 6 năm 2020, 24-11-2023, 13/01/2020; 18.426 hồ sơ, đạt 97,6%, 1.260"
    assert [f.value for f in find_dates(text)] == [D(2020, 6, 3), D(2023, 11, 24), D(2020, 1, 13)]


def test_ranges_give_both_ends_and_partials_need_a_time_word():
    assert len(find_dates("(03-02-1930 – 03-02-2020)")) == 2
    parts = find_partial_dates("Ngày 13-3, … trước 31/01; 2/3 số đại biểu; ngày 14 tháng 6")
    assert [(p.day, p.month) for p in parts] == [(13, 3), (31, 1), (14, 6)]


def test_long_date_vi():
    assert long_date_vi(D(2020, 6, 3)) == "Thứ Tư, ngày 3 tháng 6 năm 2020"


REF = D(2025, 11, 10)


def _one(text, ref=REF):
    (d,) = deadlines(text, ref)
    return d


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("hoàn thành trước ngày 30/6/2026.", D(2026, 6, 30)),
        ("gửi chậm nhất ngày 26/12/2025.", D(2025, 12, 26)),
        ("trong quý II/2026.", D(2026, 6, 30)),
        ("trong quý III năm 2026.", D(2026, 9, 30)),
        ("trong quý IV/2025.", D(2025, 12, 31)),
        ("trong tháng 01/2026.", D(2026, 1, 31)),
        ("trong tháng 4-2026.", D(2026, 4, 30)),
        ("trong năm 2026.", D(2026, 12, 31)),
        ("vào cuối năm 2026.", D(2026, 12, 31)),
        ("trước ngày 15 tháng 12 năm 2025.", D(2025, 12, 15)),
    ],
)
def test_due_is_the_last_day_covered(text, due):
    assert _one(text).due == due


def test_day_month_without_year_takes_the_next_such_day():
    d = _one("hoàn thành trước 31/01.", D(2023, 12, 5))
    assert d.due == D(2024, 1, 31) and d.year_inferred


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("định kỳ 6 tháng (trước ngày 15/6).", {"recurring": "semiannual", "day": 15, "month": 6}),
        ("trước ngày 15/12 hằng năm.", {"recurring": "annual", "day": 15, "month": 12}),
        (
            "hằng quý, chậm nhất ngày 20 của tháng cuối quý.",
            {"recurring": "quarterly", "day": 20, "month_of_quarter": 3},
        ),
        (
            "hằng tuần, trước 15 giờ thứ Năm.",
            {"recurring": "weekly", "weekday": "thursday", "time": "15:00"},
        ),
        ("báo cáo hàng quý.", {"recurring": "quarterly"}),
        ("Định kỳ hằng tháng (trước ngày 25), UBND", {"recurring": "monthly", "day": 25}),
    ],
)
def test_recurring_deadlines(text, fields):
    d = _one(text)
    assert d.due is None
    for k, v in fields.items():
        assert getattr(d, k) == v


def test_two_part_rule_gives_two_deadlines():
    ds = deadlines("báo cáo định kỳ 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12).")
    assert [d.recurring for d in ds] == ["semiannual", "annual"]


def test_tet_anchor_carries_the_first_day_of_tet():
    d = _one("chi trả tiền lương xong trước Tết Nguyên đán.", D(2025, 11, 28))
    assert d.anchor == "event" and d.due is None
    assert d.event == "Tết Nguyên đán Bính Ngọ" and d.event_date == D(2026, 2, 17)


def test_congress_anchor_and_nested_term():
    d = _one("trước Đại hội đảng bộ các cấp nhiệm kỳ 2025 - 2030.")
    assert d.anchor == "event" and "nhiệm kỳ" in d.text
    assert periods("trước Đại hội đảng bộ các cấp nhiệm kỳ 2025 - 2030.") == []


@pytest.mark.parametrize(
    "text",
    [
        "nhiệm kỳ 2025 – 2030",
        "giai đoạn 2021-2025",
        "tầm nhìn đến năm 2045",
        "Đến cuối năm 2026, 100% thủ tục",
        "6 tháng đầu năm 2020",
        "từ ngày 01/7/2025 đến ngày 30/9/2025",
        "năm học 2025 - 2026",
        "cùng kỳ năm 2019",
    ],
)
def test_look_alikes_are_periods_not_deadlines(text):
    assert deadlines(text, D(2025, 1, 1)) == []
    assert periods(text)


def test_citation_title_is_not_a_recurring_deadline():
    text = "Thực hiện Quy định số 124-QĐ/TW của Bộ Chính trị về kiểm điểm hằng năm đối với tập thể"
    assert deadlines(text) == []


def test_working_days_skip_tet_2026():
    assert tet_date(2026) == D(2026, 2, 17)
    for day in range(14, 23):
        assert not is_working_day(D(2026, 2, day))
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 23)


def test_units_split_and_restore_heads():
    assert split_units("UBND các phường, xã, đặc khu") == ["UBND phường", "UBND xã", "UBND đặc khu"]
    assert split_units("Các huyện, thị, thành ủy") == ["huyện ủy", "thị ủy", "thành ủy"]
    assert split_units("Ban Tuyên giáo các quận ủy, huyện ủy, đảng ủy cấp trên cơ sở") == [
        "Ban Tuyên giáo quận ủy",
        "Ban Tuyên giáo huyện ủy",
        "Ban Tuyên giáo đảng ủy cấp trên cơ sở",
    ]
    assert split_units("Các sở, ban, ngành thuộc UBND tỉnh") == ["sở, ban, ngành thuộc UBND tỉnh"]
    assert split_units("Sở Tài chính và UBND các xã, phường") == [
        "Sở Tài chính",
        "UBND xã",
        "UBND phường",
    ]
    assert split_units("Sở Nông nghiệp và Môi trường") == ["Sở Nông nghiệp và Môi trường"]


def test_lead_and_support_tasks_and_no_prohibitions():
    text = (
        "1. Sở Y tế chủ trì, phối hợp với Sở Tài chính xây dựng đề án nâng cấp trạm y tế, "
        "trình UBND tỉnh trước ngày 31/12/2025.\n\n"
        "2. Cán bộ, đảng viên gương mẫu thực hành tiết kiệm; không tổ chức đi thăm, chúc Tết cấp trên.\n"
    )
    res = read(text, D(2025, 9, 12))
    tasks = [(t.who, t.role, t.what, t.due_text) for t in res.tasks]
    what = "xây dựng đề án nâng cấp trạm y tế, trình UBND tỉnh"
    assert tasks == [
        ("Sở Y tế", "lead", what, "trước ngày 31/12/2025"),
        ("Sở Tài chính", "support", what, "trước ngày 31/12/2025"),
        ("Cán bộ, đảng viên", None, "gương mẫu thực hành tiết kiệm", None),
    ]
    assert [u.name for u in res.units] == ["Sở Y tế", "Sở Tài chính", "UBND tỉnh"]


def test_warnings():
    text = (
        "Số 88-KH/TU\nCần Thơ, ngày 15 tháng 9 năm 2022\n\n"
        "1. Các quận ủy tổ chức hội nghị, hoàn thành trước ngày 30/8/2022. UNND quận báo cáo.\n"
        "Nghị quyết số 52-NQ/TW ngày 27/9/2014 của Bộ Chính trị khóa XII.\n"
    )
    kinds = {w.type for w in read(text).warnings}
    assert kinds == {"deadline_before_issue", "misspelled_abbreviation", "term_mismatch"}


def test_a_symbol_whose_type_contradicts_its_name_is_flagged():
    text = (
        "Thực hiện Chỉ thị số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị, Quy định số"
        " 105-QĐ/TW ngày 19/12/2017, Thông báo kết luận số 12-TB/TW và Chương trình hành động"
        " số 45-CTr/TU, Quyết định số 62/QĐ-VPCP.\n"
    )
    flagged = [w for w in read(text).warnings if w.type == "type_mismatch"]
    assert [w.text for w in flagged] == ["Chỉ thị số 52-NQ/TW"]
    w = flagged[0]
    assert text[w.start : w.end] == w.text
    assert "Nghị quyết" in w.detail

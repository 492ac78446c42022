"""What the review page is built from: proposals, matched units, cited documents, highlight."""

from __future__ import annotations

import datetime as dt
import re

from trienkhai.intake.reading import (
    KNOWN_UNITS_MAX,
    clause_at,
    guess_kind,
    guess_title,
    guess_unit_kind,
    highlight,
    known_units_for,
    read_for_user,
    title_from,
)
from trienkhai.intake.tests.helpers import SEED_TEXT
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create, unit_dissolve
from trienkhai.vntext import read

REF = dt.date(2020, 6, 3)


def _proposal(reading, who: str):
    return next(p for p in reading.proposals if p.who == who)


# --- the seed's letter ---------------------------------------------------------------------


def test_it_proposes_the_action_program_of_the_cadre_committee_due_q2_2020(
    world, chain, cadre_committee
):
    reading = read_for_user(world.city_leader, SEED_TEXT)
    program = _proposal(reading, "Ban cán sự đảng UBND TP")
    assert "xây dựng Chương trình hành động của Thành ủy" in program.title
    assert program.due_text == "trong quý II năm 2020"
    assert program.due_date == dt.date(2020, 6, 30)
    assert program.kind == Task.Kind.PLAN
    assert program.unit_pks == [cadre_committee.pk]
    assert program.clause == "Đoạn 7"


def test_it_reads_the_issue_date_and_the_headline_of_the_news_page(world):
    reading = read_for_user(world.city_leader, SEED_TEXT)
    assert reading.reference == REF
    assert reading.own_symbol == ""
    assert reading.title.startswith("Xây dựng chương trình, kế hoạch hành động cụ thể")


def test_it_finds_the_registered_documents_the_letter_cites(world, chain):
    reading = read_for_user(world.city_leader, SEED_TEXT)
    assert {r.symbol.text: r.document for r in reading.references} == {
        "116-HD/BTGTW": chain.hd116,
        "52-NQ/TW": chain.nq52,
    }


def test_generic_unit_words_become_a_rule_of_the_kinds_that_exist(world):
    reading = read_for_user(world.city_leader, SEED_TEXT)
    first = reading.proposals[0]
    # "các cấp ủy, tổ chức Đảng, Đảng đoàn …": party delegations do not exist in the test tree
    assert first.rule_kinds == [Unit.Kind.PARTY_COMMITTEE, Unit.Kind.GRASSROOTS]
    assert first.initial()["rule_on"] is True


def test_the_recurring_report_is_proposed_as_annual(world):
    reading = read_for_user(world.city_leader, SEED_TEXT)
    report = reading.proposals[-1]
    assert report.recurrence == Task.Recurrence.ANNUAL
    assert report.due_date is None


# --- the user's units ----------------------------------------------------------------------


def test_known_units_are_the_users_reach_only(world):
    names = set(known_units_for(world.ward_officer).names)
    assert "Đảng ủy phường Bến Thành" in names and "Chi bộ khu phố 1" in names
    assert "Đảng ủy phường Tân Định" not in names
    assert "Ủy ban nhân dân Thành phố" not in names


LIST_LETTER = (
    "Ban Thường vụ Thành ủy yêu cầu:\n"
    "1. Đảng ủy phường Tân Định xây dựng kế hoạch thực hiện, hoàn thành trước ngày 30/6/2020.\n"
    "2. Đảng ủy phường Bến Thành báo cáo kết quả trước ngày 15/12/2020.\n"
)


def test_a_unit_of_another_subtree_is_never_a_candidate(world):
    text = LIST_LETTER
    reading = read_for_user(world.ward_officer, text, REF)
    assert reading.candidates == [world.ben_thanh]
    assert [p.unit_pks for p in reading.proposals] == [[], [world.ben_thanh.pk]]
    leader = read_for_user(world.city_leader, text, REF)
    assert leader.candidates == [world.ben_thanh, world.tan_dinh]
    assert [p.clause for p in leader.proposals] == ["Mục 1", "Mục 2"]


def test_a_dissolved_unit_stands_for_its_successor(world, cadre_committee):
    successor = unit_create(
        parent=world.city,
        name="Đảng ủy Ủy ban nhân dân Thành phố",
        kind=Unit.Kind.PARTY_COMMITTEE,
        active_from=dt.date(2025, 2, 1),
    )
    unit_dissolve(unit=cadre_committee, on=dt.date(2025, 2, 1), successor=successor)
    known = known_units_for(world.city_leader, on=dt.date(2025, 6, 1))
    assert known.by_name["Ban cán sự đảng Ủy ban nhân dân Thành phố"] == [successor.pk]
    # before its dissolution, the committee itself
    known = known_units_for(world.city_leader, on=dt.date(2024, 6, 1))
    assert known.by_name["Ban cán sự đảng Ủy ban nhân dân Thành phố"] == [cadre_committee.pk]
    assert "Đảng ủy Ủy ban nhân dân Thành phố" not in known.by_name  # not active yet


def test_known_units_stay_bounded_in_a_large_tree(
    world, monkeypatch, django_assert_max_num_queries
):
    for i in range(30):
        unit_create(
            parent=world.ben_thanh, name=f"Chi bộ khu phố {i + 2}", kind=Unit.Kind.GRASSROOTS
        )
    with django_assert_max_num_queries(2):
        known = known_units_for(world.city_leader)
    assert "Chi bộ khu phố 31" in known.names
    # the cap keeps the shallowest units: the City and the wards before the party cells
    monkeypatch.setattr("trienkhai.intake.reading.KNOWN_UNITS_MAX", 4)
    names = known_units_for(world.city_leader).names
    assert "Đảng ủy phường Tân Định" in names and "Ủy ban nhân dân Thành phố" in names
    assert not any(n.startswith("Chi bộ") for n in names)
    assert KNOWN_UNITS_MAX >= 1000


# --- guesses -------------------------------------------------------------------------------


def test_kind_comes_from_the_earliest_cue():
    assert guess_kind("tổ chức học tập, quán triệt Nghị quyết") == Task.Kind.STUDY
    assert guess_kind("xây dựng kế hoạch kiểm tra, giám sát") == Task.Kind.PLAN
    assert guess_kind("kiểm tra việc xây dựng kế hoạch") == Task.Kind.INSPECTION
    assert guess_kind("tổ chức thực hiện theo Chương trình hành động") == Task.Kind.OTHER
    assert guess_kind("đánh giá kết quả, báo cáo Ban Thường vụ") == Task.Kind.REPORT


def test_unit_kinds_of_generic_names():
    assert guess_unit_kind("quận ủy") == Unit.Kind.PARTY_COMMITTEE
    assert guess_unit_kind("UBND huyện") == Unit.Kind.PEOPLES_COMMITTEE
    assert guess_unit_kind("Đảng đoàn Mặt trận Tổ quốc Việt Nam TP") == Unit.Kind.PARTY_DELEGATION
    assert guess_unit_kind("Ban cán sự đảng UBND TP") == Unit.Kind.CADRE_COMMITTEE
    assert guess_unit_kind("các sở, ngành") == Unit.Kind.DEPARTMENT
    assert guess_unit_kind("Nhân dân") is None


def test_clause_is_the_numbered_item_or_else_the_paragraph():
    text = "Mở đầu\n\nI. NHIỆM VỤ\n1. Học tập\na) Các chi bộ tổ chức học tập.\n2. Kế hoạch\n"
    assert clause_at(text, text.index("Các chi bộ")) == "Mục I.1.a"
    assert clause_at(text, text.index("Kế hoạch")) == "Mục I.2"
    assert clause_at("Một.\n\nHai.\nBa", len("Một.\n\nHai.\n")) == "Đoạn 3"
    assert clause_at("Một.\n\nHai.\nBa", 1) == "Đoạn 1"


def test_titles_are_one_capitalized_line_within_the_limit():
    assert title_from("xây dựng  kế hoạch\nthực hiện;") == "Xây dựng kế hoạch thực hiện"
    long = title_from("chỉ đạo " * 100, limit=50)
    assert len(long) <= 50 and long.endswith("…")


def test_document_title_from_subject_heading_or_headline():
    assert guess_title("Số: 1/UBND\nV/v chấn chỉnh báo cáo\n", "letter") == "chấn chỉnh báo cáo"
    plan = "THÀNH ỦY\n\nKẾ HOẠCH\nThực hiện Nghị quyết 52-NQ/TW\n"
    assert guess_title(plan, "plan") == "Kế hoạch thực hiện Nghị quyết 52-NQ/TW"
    assert guess_title("Nội dung không có tiêu đề.", None) == ""


# --- highlighting --------------------------------------------------------------------------


def test_highlight_escapes_everything_and_keeps_the_text():
    text = (
        '<script>alert("x")</script> Các quận ủy xây dựng kế hoạch thực hiện Nghị quyết số'
        " 52-NQ/TW, hoàn thành trong quý II năm 2020 & báo cáo."
    )
    result = read(text, REF)
    html = str(highlight(text, result, []))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert (
        re.sub(r"<[^>]+>", "", html)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&#x27;", "'")
        == text
    )
    assert '<mark class="hl-symbol"' in html


def test_overlapping_spans_are_cut_into_pieces_with_all_their_classes(world):
    reading = read_for_user(world.city_leader, SEED_TEXT)
    html = str(reading.highlighted())
    assert html.count('class="tnum"') == len(reading.proposals)
    # the deadline lies inside task 3's sentence, the warning on the symbol
    assert re.search(r'<mark class="hl-deadline"[^>]*>trong quý II năm 2020</mark>', html)
    assert re.search(r'<mark class="hl-symbol hl-warning"[^>]*>52-NQ/TW</mark>', html)
    assert 'title="Cần kiểm tra: 52-NQ/TW ngày 27/09/2014 không thuộc khóa XII."' in html
    assert html.count("<mark") == html.count("</mark>")

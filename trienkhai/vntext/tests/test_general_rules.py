"""General reading rules added for unseen texts (lead-ins, prose news, purpose clauses …)."""

import datetime as dt

from trienkhai.vntext import read
from trienkhai.vntext.deadlines import deadlines
from trienkhai.vntext.reader import detect_kind
from trienkhai.vntext.units import split_units

D = dt.date


REF = D(2024, 2, 1)


def _tasks(text, ref=REF, kind="plan"):
    return [(t.who, t.what, t.due_text, t.role) for t in read(text, ref, kind=kind).tasks]


def test_lead_in_that_assigns_and_directs_names_the_actor_of_its_items():
    text = (
        "II. NHIỆM VỤ\n\n1. Ban Thường vụ Huyện ủy giao Đảng ủy các xã lãnh đạo UBND xã:\n"
        "a) Kiểm tra, rà soát hộ nghèo trên địa bàn, hoàn thành trong tháng 3/2024;\n"
        "b) Báo cáo kết quả về Ban Thường vụ Huyện ủy.\n"
    )
    res = read(text, D(2024, 2, 1), kind="plan")
    assert [(t.who, t.due_text) for t in res.tasks] == [
        ("Đảng ủy các xã", "trong tháng 3/2024"),
        ("Đảng ủy các xã", None),
    ]
    assert {"Đảng ủy xã", "UBND xã", "Ban Thường vụ Huyện ủy"} <= {u.name for u in res.units}


def test_a_basis_between_actor_and_verb_is_skipped():
    text = (
        "1. Các chi bộ căn cứ hướng dẫn của Ban Tổ chức xây dựng kế hoạch, "
        "gửi Văn phòng chậm nhất ngày 20/9/2024.\n"
    )
    assert _tasks(text) == [
        ("Các chi bộ", "xây dựng kế hoạch, gửi Văn phòng", "chậm nhất ngày 20/9/2024", None)
    ]


def test_a_clause_that_only_sets_the_time_dates_the_clause_before():
    text = "1. Công an huyện tăng cường tuần tra; hoàn thành trước ngày 30/9/2024.\n"
    assert _tasks(text) == [("Công an huyện", "tăng cường tuần tra", "trước ngày 30/9/2024", None)]


def test_purpose_clause_with_its_own_actor_is_a_second_task():
    text = (
        "1. UBND các xã gửi danh sách về Phòng Nội vụ để Phòng Nội vụ tổng hợp, "
        "trình UBND huyện trước ngày 15/10/2024.\n"
    )
    assert [(w, d) for w, _, d, _ in _tasks(text)] == [
        ("UBND các xã", None),
        ("Phòng Nội vụ", "trước ngày 15/10/2024"),
    ]


def test_leading_deadline_after_an_opener_and_capitalised_chu_tri():
    text = (
        "1. Theo kế hoạch, trong tháng 4/2024, các huyện ủy hoàn thành việc quán triệt.\n"
        "2. Sở Tài chính:\na) Chủ trì, phối hợp với Sở Nội vụ thẩm định phương án.\n"
        "b) Hằng tháng tổng hợp kết quả.\n"
    )
    got = _tasks(text)
    assert got[0] == ("các huyện ủy", "hoàn thành việc quán triệt", "trong tháng 4/2024", None)
    assert [(w, r) for w, _, _, r in got[1:3]] == [
        ("Sở Tài chính", "lead"),
        ("Sở Nội vụ", "support"),
    ]
    assert got[3][2] == "Hằng tháng"


def test_news_umbrella_request_carries_its_actors_only_to_linked_sentences():
    text = (
        "Thứ Ba, ngày 5 tháng 3 năm 2024\n\nTiêu đề\n\n"
        "(Báo Nghệ An) – Ban Thường vụ Tỉnh ủy đã ban hành văn bản yêu cầu các huyện ủy, "
        "thị ủy thực hiện các nội dung sau đây.\n\n"
        "Theo đó, tổ chức hội nghị quán triệt cho cán bộ chủ chốt. "
        "Thời hạn hoàn thành trong tháng 4/2024.\n\n"
        "Nâng cao chất lượng sinh hoạt chi bộ.\n"
    )
    assert detect_kind(text) == "news"
    res = read(text)
    assert res.issue_date == D(2024, 3, 5)
    assert [(t.who, t.due_text) for t in res.tasks] == [
        ("các huyện ủy, thị ủy", "trong tháng 4/2024")
    ]


def test_units_variants():
    assert split_units("UNND các quận, huyện") == ["UBND quận", "UBND huyện"]
    assert split_units("Cấp ủy, các cơ quan, đơn vị") == ["Cấp ủy", "cơ quan, đơn vị"]
    assert split_units("công an các xã, thị trấn") == ["công an xã", "công an thị trấn"]
    res = read(
        "1. Sở Xây dựng hướng dẫn các trường đại học, cao đẳng trên địa bàn lập hồ sơ; "
        "báo cáo Chủ tịch UBND tỉnh ngay sau khi phát hiện.\n",
        D(2024, 1, 1),
        kind="plan",
    )
    names = {u.name for u in res.units}
    assert {"trường đại học", "trường cao đẳng", "UBND tỉnh"} <= names


def test_programme_attribute_is_not_a_recurring_deadline():
    text = "đưa nội dung vào chương trình công tác hằng năm; báo cáo hằng năm (trước ngày 10/12)"
    assert [d.text for d in deadlines(text, D(2024, 1, 1))] == ["hằng năm (trước ngày 10/12)"]


def test_a_letter_in_plain_prose_still_assigns_its_tasks():
    text = (
        "THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH\nSố 120-CV/TU\n\n"
        "Ban Thường vụ Thành ủy yêu cầu Đảng ủy phường Tân Định xây dựng kế hoạch thực hiện,"
        " hoàn thành trước ngày 30/6/2020.\n"
    )
    tasks = read(text, dt.date(2020, 6, 3)).tasks
    assert [(t.who, t.what, t.due) for t in tasks] == [
        ("Đảng ủy phường Tân Định", "xây dựng kế hoạch thực hiện", dt.date(2020, 6, 30))
    ]


def test_a_header_line_that_mentions_a_request_is_not_a_task():
    text = "Kính gửi: Ban Thường vụ Thành ủy đề nghị các quận ủy\n\nNội dung trao đổi.\n"
    assert read(text, dt.date(2020, 6, 3)).tasks == []

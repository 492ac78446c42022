"""The report as Word (Party or State format), the figures as Excel, and the XLSX import —
opened with python-docx and openpyxl and read back."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import Workbook, load_workbook

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.testing import make_user
from trienkhai.reports.models import Report, Value
from trienkhai.reports.services import report_save, report_submit
from trienkhai.reports.tests.conftest import accept, send
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(io.BytesIO(content))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables


@pytest.fixture
def city_final(world, rep):
    accept(send(rep.cell, rep.cell_officer, HN=2, DV=40), world.ward_officer)
    accept(send(rep.bt, world.ward_officer, HN=5, DV=1000), world.city_leader)
    accept(send(rep.td, world.other_ward_officer, HN=3, DV=500), world.city_leader)
    report_save(
        report=Report.objects.get(pk=rep.city.pk),
        by=world.city_leader,
        figures={"HN": "9", "DV": "1.500"},
        narrative={
            "results": "Đã tổ chức 9 hội nghị.\nCó <b>1.500</b> đảng viên & quần chúng tham gia.",
            "recommendations": "Đề nghị Trung ương sớm ban hành hướng dẫn.",
        },
        symbol="125-BC/TU",
        signer_title="T/M BAN THƯỜNG VỤ\nBÍ THƯ",
        signer_name="Nguyễn Văn An",
        recipients="- Bộ Chính trị (để báo cáo),\n- Ban Tuyên giáo Trung ương,\n- Lưu Văn phòng Thành ủy.",
    )
    return report_submit(report=Report.objects.get(pk=rep.city.pk), by=world.city_leader)


def test_the_city_s_report_downloads_in_the_party_s_format(world, rep, city_final, login):
    response = login(world.city_leader).get(reverse("reports:docx", args=[rep.city.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="bao-cao-thanh-uy-2020')
    paragraphs, tables = _docx_text(response.content)
    header = tables[0][0]
    # the đảng bộ issues through its committee: its name above, "THÀNH ỦY" below
    assert header[0].split("\n")[:3] == ["ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", "THÀNH ỦY", "*"]
    assert "Số 125-BC/TU" in header[0] and "*" in header[0]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in header[1]
    assert "Thành phố Hồ Chí Minh, ngày 10 tháng 12 năm 2020" in header[1]
    assert "BÁO CÁO" in paragraphs
    assert "kết quả thực hiện Nghị quyết 52-NQ/TW năm 2020" in paragraphs
    assert "(Dự thảo)" not in paragraphs
    assert "I. KẾT QUẢ THỰC HIỆN" in paragraphs
    assert "Có <b>1.500</b> đảng viên & quần chúng tham gia." in paragraphs  # escaped, kept
    assert "V. KIẾN NGHỊ, ĐỀ XUẤT" in paragraphs
    assert "VI. SỐ LIỆU CHỦ YẾU" in paragraphs
    figures = tables[1]
    assert figures[0] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]
    assert ["1", "Số hội nghị học tập, quán triệt Nghị quyết 52", "hội nghị", "9"] in figures
    assert ["2", "Số đảng viên", "người", "1.500"] in figures
    footer = tables[2][0]
    assert footer[0].startswith("Nơi nhận:") and "- Bộ Chính trị (để báo cáo)," in footer[0]
    assert "T/M BAN THƯỜNG VỤ" in footer[1] and "BÍ THƯ" in footer[1]
    assert "Nguyễn Văn An" in footer[1]
    assert AuditEvent.objects.filter(kind="export", detail__report=rep.city.pk).exists()


def test_a_people_s_committee_report_uses_the_state_format_and_a_draft_has_no_date(world, clock):
    from trienkhai.reports.documents import render_report
    from trienkhai.reports.services import round_create
    from trienkhai.reports.testing import build_round

    ward_pc = unit_create(
        parent=world.ben_thanh,
        name="Ủy ban nhân dân phường Bến Thành",
        kind=Unit.Kind.PEOPLES_COMMITTEE,
    )
    rnd, _n = round_create(
        form=build_round(world).form,
        owner=world.city,
        by=world.city_leader,
        title="Báo cáo kết quả năm 2020 của Ủy ban nhân dân các phường",
        period_kind="annual",
        year=2020,
        deadline_workdays=5,
        kinds=[Unit.Kind.PEOPLES_COMMITTEE],
        depth=2,
        receiver_mode="unit",
        receiver_unit=world.city_pc,
        place="Thành phố Hồ Chí Minh",
    )
    r = Report.objects.get(round=rnd, unit=ward_pc)
    paragraphs, tables = _docx_text(render_report(r))
    header = tables[0][0]
    assert (
        "ĐẢNG ỦY PHƯỜNG BẾN THÀNH" in header[0] and "ỦY BAN NHÂN DÂN PHƯỜNG BẾN THÀNH" in header[0]
    )
    assert "Số: …" in header[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1]
    assert "Độc lập - Tự do - Hạnh phúc" in header[1]
    assert "Thành phố Hồ Chí Minh, ngày    tháng    năm 2020" in header[1]
    assert "(Dự thảo)" in paragraphs


def test_the_round_s_figures_by_unit_as_xlsx(world, rep, city_final, login):
    response = login(world.city_leader).get(reverse("reports:round_xlsx", args=[rep.round.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == rep.round.title
    header = rows[3]
    assert header[:4] == ("STT", "Đơn vị", "Gửi đến", "Trạng thái")
    assert header[6] == "HN — Số hội nghị học tập, quán triệt Nghị quyết 52 (hội nghị)"
    data = {r[1]: r for r in rows[4:]}
    assert set(data) == {
        world.city.name,
        world.ben_thanh.name,
        world.ben_thanh_cell.name,
        world.tan_dinh.name,
    }
    assert data[world.ben_thanh.name][6:8] == (5, 1000)
    assert data[world.ben_thanh_cell.name][2] == world.ben_thanh.name
    assert data[world.tan_dinh.name][3] == "Đã tiếp nhận" and data[world.tan_dinh.name][5] == "có"


def test_a_ward_s_xlsx_holds_only_its_subtree(world, rep, city_final, login):
    client = login(world.ward_officer)
    response = client.get(reverse("reports:round_xlsx", args=[rep.round.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {r[1] for r in list(sheet.iter_rows(values_only=True))[4:]}
    assert names == {world.ben_thanh.name, world.ben_thanh_cell.name}
    url = reverse("reports:round_xlsx", args=[rep.round.pk])
    assert client.get(f"{url}?unit={world.city.pk}").status_code == 404
    assert client.get(f"{url}?unit={world.tan_dinh.pk}").status_code == 404


def test_the_report_s_xlsx_lists_its_reporters_and_their_consolidation(
    world, rep, city_final, login
):
    response = login(world.city_leader).get(reverse("reports:xlsx", args=[rep.city.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))[4:]
    assert [r[1] for r in rows] == [
        world.ben_thanh.name,
        world.tan_dinh.name,
        "Tổng hợp từ các báo cáo đã tiếp nhận ở trên",
        f"{world.city.name} (báo cáo này)",
    ]
    assert rows[2][6:8] == (8, 1500) and rows[3][6:8] == (9, 1500)


# --- import ----------------------------------------------------------------------------------


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(
        "so-lieu.xlsx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def two_units(world, rep):
    """A district officer who acts for both wards (as an office entering paper reports)."""
    from trienkhai.accounts.models import Membership

    user = make_user("vanphong", unit=world.ben_thanh, full_name="Đỗ Văn Phòng")
    Membership.objects.create(user=user, unit=world.tan_dinh, role="staff")
    return user


def test_the_template_lists_the_reports_to_fill_and_imports_back(
    world, rep, two_units, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(two_units)
    response = client.get(reverse("reports:round_template", args=[rep.round.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == [
        "Mã báo cáo",
        "Đơn vị",
        "HN — Số hội nghị học tập, quán triệt Nghị quyết 52 (hội nghị)",
    ]
    assert sorted(r[1] for r in rows[1:]) == sorted([world.ben_thanh.name, world.tan_dinh.name])
    codes = [h.split(" — ")[0] for h in rows[0][2:]]
    for row in rows[1:]:
        row[2 + codes.index("HN")] = 4
        row[2 + codes.index("DV")] = "1.200"
        row[2 + codes.index("KH")] = "Có"
        row[2 + codes.index("GC")] = "Ổn định"
    response = client.post(
        reverse("reports:round_import", args=[rep.round.pk]), {"file": _xlsx(rows)}
    )
    assert response.status_code == 302, [vars(p) for p in response.context["problems"]]
    for r in (rep.bt, rep.td):
        values = {
            v.indicator.code: (v.number, v.text)
            for v in Value.objects.filter(report=r).select_related("indicator")
        }
        assert values["HN"] == (4, "") and values["DV"] == (1200, "") and values["KH"] == (1, "")
        assert values["GC"] == (None, "Ổn định")
    assert AuditEvent.objects.filter(kind="import").exists()


def test_a_wrong_cell_imports_nothing_and_is_named_by_row_and_column(
    world, rep, two_units, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(two_units)
    header = ["Mã báo cáo", "Đơn vị", "HN — Số hội nghị", "TL — Tỷ lệ", "KH — Kế hoạch"]
    rows = [
        header,
        [rep.bt.pk, "Bến Thành", 3, 80, "có"],
        [rep.td.pk, "Tân Định", "ba", 120, "chắc vậy"],
        [rep.cell.pk, "Chi bộ", 1, 10, "có"],
        [rep.bt.pk, "Bến Thành lần 2", 1, 1, "có"],
    ]
    response = client.post(
        reverse("reports:round_import", args=[rep.round.pk]), {"file": _xlsx(rows)}
    )
    assert response.status_code == 400
    problems = [(p.row, p.column, p.message) for p in response.context["problems"]]
    assert problems == [
        (3, "C (HN)", "“ba” không phải là số: chỉ ghi chữ số, ví dụ 12 hoặc 12,5."),
        (3, "D (TL)", "Tỷ lệ phần trăm phải từ 0 đến 100; 120 không hợp lệ."),
        (3, "E (KH)", "Hãy chọn Có hoặc Không."),
        (4, "A", "Đây không phải báo cáo mà đơn vị của bạn phải lập trong đợt này."),
        (5, "A", "Báo cáo này đã có ở dòng 2."),
    ]
    assert not Value.objects.filter(report__round=rep.round).exists()  # nothing half-imported


def test_a_sent_report_cannot_be_imported_into(world, rep, two_units, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    accept(send(rep.td, world.other_ward_officer, HN=2), world.city_leader)
    rows = [["Mã báo cáo", "Đơn vị", "HN — x"], [rep.bt.pk, "", 3], [rep.td.pk, "", 7]]
    response = login(two_units).post(
        reverse("reports:round_import", args=[rep.round.pk]), {"file": _xlsx(rows)}
    )
    assert response.status_code == 400
    assert [(p.row, p.message) for p in response.context["problems"]] == [
        (3, "Báo cáo này đã được gửi và đã khóa: không thể nhập số liệu.")
    ]
    assert Value.objects.get(report=rep.td, indicator__code="HN").number == 2
    assert not Value.objects.filter(report=rep.bt).exists()


def test_an_upload_that_is_not_xlsx_is_refused(world, rep, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("so-lieu.xlsx", b"<html><script>alert(1)</script></html>")
    response = login(world.ward_officer).post(
        reverse("reports:round_import", args=[rep.round.pk]), {"file": fake}
    )
    assert response.status_code == 400
    assert not Value.objects.exists()
    assert AuditEvent.objects.filter(kind="upload_refused").exists()


def test_nobody_without_a_report_to_fill_reaches_the_import(world, rep, login):
    client = login(world.observer)
    assert client.get(reverse("reports:round_import", args=[rep.round.pk])).status_code == 404
    assert client.get(reverse("reports:round_template", args=[rep.round.pk])).status_code == 404


def test_a_ward_committee_s_header_names_its_superior_then_itself(world, rep):
    from trienkhai.reports.documents import render_report

    _paragraphs, tables = _docx_text(render_report(rep.bt))
    assert tables[0][0][0].split("\n")[:3] == [
        "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH",
        "ĐẢNG ỦY PHƯỜNG BẾN THÀNH",
        "*",
    ]

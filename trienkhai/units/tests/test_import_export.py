"""Units from and to CSV/XLSX: every bad row reported, nothing half-imported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from trienkhai.units import tabular
from trienkhai.units.models import Unit
from trienkhai.units.services import units_import

HEADER = ",".join(tabular.COLUMNS)


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode("utf-8"))


def test_it_creates_units_whose_parent_comes_later_in_the_file(world):
    f = csv_file(
        "CB2,Chi bộ khu phố 2,,grassroots,KP,,40,,,01/02/2020,",
        "KP,Đảng bộ khu phố,,Tổ chức cơ sở đảng,DU26743,3,1.200,,,,",
        "CB3,Chi bộ khu phố 3,,grassroots,KP,,,,,,",
    )
    result = units_import(rows_file=f, fmt="csv", under=world.ben_thanh, by=world.ward_officer)
    assert result.ok, result.errors
    assert result.created == 3
    kp = Unit.objects.get(code="KP")
    assert kp.party_members == 1200 and kp.kind == Unit.Kind.GRASSROOTS
    assert kp.is_within(world.ben_thanh) and kp.depth == world.ben_thanh.depth + 1
    cb2 = Unit.objects.get(code="CB2")
    assert world.ben_thanh.is_parent_of(kp) and kp.is_parent_of(cb2)
    assert cb2.active_from == dt.date(2020, 2, 1)
    assert cb2.history.first().history_user == world.ward_officer
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_it_reports_every_bad_row_with_its_column_and_imports_nothing(world):
    before = Unit.objects.count()
    f = csv_file(
        "NEW1,Đơn vị mới,,grassroots,,,,,,,",  # fine on its own
        ",Không có mã,,grassroots,,,,,,,",
        "NEW2,Đơn vị,,loại lạ,,,,,,,",
        "NEW3,Đơn vị,,grassroots,,abc,,,,31/02/2020,",
        "NEW1,Trùng mã,,grassroots,,,,,,,",
        "NEW4,Ngoài phạm vi,,grassroots,DU26737,,,,,,",
        "NEW5,Cha không có,,grassroots,NOPE,,,,,,",
        "TU79,Thành ủy,,,,,,,,,",
    )
    result = units_import(rows_file=f, fmt="csv", under=world.ben_thanh, by=world.ward_officer)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "code"),
        (4, "kind"),
        (5, "cadres"),
        (5, "active_from"),
        (6, "code"),
        (7, "parent_code"),
        (8, "parent_code"),
        (9, "code"),
    }
    assert all(e.message for e in result.errors)
    assert Unit.objects.count() == before


def test_it_updates_existing_codes_and_moves_them_inside_the_subtree(world):
    f = csv_file(
        "DU26743,Đảng ủy phường Bến Thành,ĐU Bến Thành,,,81,,,,,",
        "KP9,Khu phố 9,,grassroots,,,,,,,",
        f"#{world.ben_thanh_cell.pk},Chi bộ khu phố 1 (mới),,,KP9,,,,,,",
    )
    result = units_import(rows_file=f, fmt="csv", under=world.ben_thanh, by=world.ward_officer)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.moved) == (1, 2, 1)
    world.ben_thanh.refresh_from_db()
    assert world.ben_thanh.cadres == 81 and world.ben_thanh.short_name == "ĐU Bến Thành"
    cell = Unit.objects.get(pk=world.ben_thanh_cell.pk)
    assert cell.name == "Chi bộ khu phố 1 (mới)"
    assert cell.is_within(Unit.objects.get(code="KP9"))


def test_it_moves_a_unit_under_its_former_child_when_the_child_moves_out_first(world):
    cell = world.ben_thanh_cell
    f = csv_file(
        f"DU26743,Đảng ủy phường Bến Thành,,,#{cell.pk},,,,,,",
        f"#{cell.pk},Chi bộ,,,NEWX,,,,,,",
        "NEWX,X,,grassroots,,,,,,,",
    )
    result = units_import(rows_file=f, fmt="csv", under=world.city, by=world.city_leader)
    assert result.ok, result.errors
    x = Unit.objects.get(code="NEWX")
    assert world.city.is_parent_of(x)
    assert Unit.objects.get(pk=world.ben_thanh.pk).is_within(Unit.objects.get(pk=cell.pk))
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_it_refuses_a_move_that_would_make_a_cycle(world):
    cell = world.ben_thanh_cell
    f = csv_file(
        f"DU26743,Đảng ủy phường Bến Thành,,,#{cell.pk},,,,,,",
        "NEWX,X,,grassroots,DU26743,,,,,,",
        f"#{cell.pk},Chi bộ,,,NEWX,,,,,,",
    )
    result = units_import(rows_file=f, fmt="csv", under=world.city, by=world.city_leader)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "parent_code"),
        (3, "parent_code"),
        (4, "parent_code"),
    ]


def test_it_refuses_to_move_the_unit_it_imports_into(world):
    f = csv_file("DU26743,Đảng ủy phường Bến Thành,,,DU26737,,,,,,")
    result = units_import(rows_file=f, fmt="csv", under=world.ben_thanh, by=world.ward_officer)
    assert [(e.row, e.column) for e in result.errors] == [(2, "parent_code")]


def test_it_reports_missing_columns(world):
    f = io.BytesIO(b"name,kind\nX,grassroots\n")
    result = units_import(rows_file=f, fmt="csv", under=world.ben_thanh, by=None)
    assert [(e.row, e.column) for e in result.errors] == [(1, "code")]


def test_it_reads_semicolon_csv_and_xlsx(world):
    f = io.BytesIO(
        (HEADER.replace(",", ";") + "\nS1;Chi bộ S1;;Chi bộ cơ sở;;;;;;;\n").encode("utf-8-sig")
    )
    result = units_import(rows_file=f, fmt="csv", under=world.ben_thanh)
    assert [(e.row, e.column) for e in result.errors] == [(2, "kind")]
    book = Workbook()
    sheet = book.active
    sheet.append(list(tabular.COLUMNS))
    sheet.append(
        [
            "X1",
            "Chi bộ X1",
            None,
            "Tổ chức cơ sở đảng",
            None,
            5,
            12.0,
            None,
            None,
            dt.datetime(2021, 1, 1),
            None,
        ]
    )
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = units_import(rows_file=out, fmt="xlsx", under=world.ben_thanh)
    assert result.ok, result.errors
    x1 = Unit.objects.get(code="X1")
    assert (x1.cadres, x1.party_members, x1.active_from) == (5, 12, dt.date(2021, 1, 1))


def test_an_unreadable_file_is_a_clear_error(world):
    from trienkhai.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        units_import(rows_file=io.BytesIO(b"not a zip"), fmt="xlsx", under=world.ben_thanh)
    assert err.value.code == "unreadable"


def test_an_export_reimports_unchanged(world):
    rows = list(tabular.export_rows(world.ben_thanh))
    assert [r[0] for r in rows] == ["DU26743", f"#{world.ben_thanh_cell.pk}"]
    assert rows[0][4] == "" and rows[1][4] == "DU26743"
    text = "".join(tabular.stream_csv(rows)).encode("utf-8")
    result = units_import(rows_file=io.BytesIO(text), fmt="csv", under=world.ben_thanh)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.moved, result.unchanged) == (0, 0, 0, 2)
    out = io.BytesIO()
    tabular.write_xlsx(rows, out, instructions=True)
    out.seek(0)
    book = load_workbook(out, read_only=True)
    assert list(next(book.worksheets[0].iter_rows(values_only=True))) == list(tabular.COLUMNS)
    assert len(book.worksheets) == 2


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x.example","bấm")', "+1+1", "@SUM(A1)", "-2"])
def test_a_formula_like_name_is_exported_as_text_and_reimports_unchanged(world, name):
    world.ben_thanh_cell.name = name
    world.ben_thanh_cell.save()
    rows = list(tabular.export_rows(world.ben_thanh))
    text = "".join(tabular.stream_csv(rows))
    assert f"'{name[:3]}" in text  # a spreadsheet shows the text, never runs it
    result = units_import(
        rows_file=io.BytesIO(text.encode("utf-8")), fmt="csv", under=world.ben_thanh
    )
    assert result.ok, result.errors
    assert result.unchanged == 2
    out = io.BytesIO()
    tabular.write_xlsx(rows, out)
    out.seek(0)
    book = load_workbook(out)  # not read-only: it tells formulas from text
    cell = book.worksheets[0]["B3"]
    assert cell.value == name and cell.data_type == "s"

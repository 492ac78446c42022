"""Management commands: import_divisions, import_units, export_units."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trienkhai.units import tabular
from trienkhai.units.divisions import divisions_for_province
from trienkhai.units.models import Unit


@pytest.mark.slow
@pytest.mark.django_db
def test_import_divisions_loads_34_provinces_and_3321_communes_idempotently():
    start = time.perf_counter()
    call_command("import_divisions", stdout=StringIO())
    assert time.perf_counter() - start < 30
    root = Unit.objects.get(code="VN")
    assert root.kind == Unit.Kind.EXTERNAL and root.name == "Việt Nam"
    provinces = Unit.objects.children_of(root)
    assert provinces.count() == 34
    assert Unit.objects.subtree_of(root, include_self=False).count() == 34 + 3321
    hcmc = Unit.objects.get(code="P79")
    assert hcmc.name == "Ủy ban nhân dân Thành phố Hồ Chí Minh"
    assert hcmc.kind == Unit.Kind.PEOPLES_COMMITTEE and hcmc.numchild == 168
    assert Unit.objects.children_of(hcmc).count() == 168
    ben_thanh = Unit.objects.get(code="W26743")
    assert ben_thanh.name == "Ủy ban nhân dân phường Bến Thành" and ben_thanh.is_within(hcmc)
    assert (
        Unit.objects.get(code="W26536").name == "Ủy ban nhân dân phường Rạch Dừa"
    )  # "Phường  Rạch Dừa"
    assert Unit.objects.search("phuong ben thanh").filter(pk=ben_thanh.pk).exists()
    assert ben_thanh.history.count() == 1
    assert Unit.objects.find_problems() == ([], [], [], [], [])

    Unit.objects.filter(code="W26743").update(name="Tên cũ")
    Unit.objects.filter(code="W26737").delete()
    Unit.objects.filter(pk=hcmc.pk).update(numchild=167)
    out = StringIO()
    call_command("import_divisions", stdout=out)
    assert "created 1, updated 1, unchanged 3353" in out.getvalue()
    assert Unit.objects.get(code="W26743").name == "Ủy ban nhân dân phường Bến Thành"
    assert Unit.objects.children_of(hcmc).count() == 168
    assert Unit.objects.subtree_of(root, include_self=False).count() == 34 + 3321


def test_divisions_for_province_lists_the_168_units_of_hcmc():
    rows = divisions_for_province(79)
    assert len(rows) == 168
    assert ("26743", "Phường Bến Thành", "phường") in rows
    assert ("26536", "Phường Rạch Dừa", "phường") in rows
    assert sum(1 for r in rows if r[2] == "đặc khu") == 1
    assert divisions_for_province("79") == rows


def test_import_divisions_under_an_existing_unit(world):
    call_command("import_divisions", "--under", "TU79", stdout=StringIO())
    assert Unit.objects.get(code="P79").is_within(world.city)
    assert not Unit.objects.filter(code="VN").exists()
    with pytest.raises(CommandError):
        call_command("import_divisions", "--under", "NOPE", stdout=StringIO())


def test_export_then_import_units_through_the_commands(world, tmp_path):
    out = StringIO()
    call_command("export_units", "--under", "DU26743", stdout=out)
    assert out.getvalue().lstrip("\ufeff").splitlines()[0] == ",".join(tabular.COLUMNS)
    xlsx = tmp_path / "u.xlsx"
    call_command("export_units", "--under", "DU26743", "--format", "xlsx", "--output", str(xlsx))
    assert xlsx.stat().st_size > 0

    good = tmp_path / "good.csv"
    good.write_text(",".join(tabular.COLUMNS) + "\nKP7,Chi bộ 7,,grassroots,,,,,,,\n", "utf-8")
    out = StringIO()
    call_command("import_units", str(good), "--under", "DU26743", stdout=out)
    assert "created 1" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(tabular.COLUMNS) + "\nKP8,Chi bộ 8,,lạ,,,,,,,\n", "utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(bad), "--under", "DU26743", stderr=err)
    assert "row 2, column kind" in err.getvalue()
    assert not Unit.objects.filter(code="KP8").exists()

"""The units pages through HTTP: tree, search, detail, fragment, export, import, reorganize."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from trienkhai.accounts.models import AuditEvent
from trienkhai.units import tabular
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_tree_shows_the_users_roots(world, login):
    client = login(world.ward_officer)
    r = client.get(reverse("units:tree"))
    assert r.status_code == 200
    assert "Đảng ủy phường Bến Thành" in r.text
    assert "Thành phố Hồ Chí Minh" not in r.text
    assert "Chi bộ khu phố 1" in r.text  # the root opens with its first children


def test_the_tree_loads_deeper_levels_lazily(world, login):
    r = login(world.city_leader).get(reverse("units:tree"))
    assert "Đảng ủy phường Bến Thành" in r.text
    assert reverse("units:children", args=[world.ben_thanh.pk]) in r.text
    assert "Chi bộ khu phố 1" not in r.text


def test_the_tree_needs_a_login(client, world):
    r = client.get(reverse("units:tree"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_search_ignores_diacritics_and_shows_breadcrumbs(world, login):
    client = login(world.city_leader)
    r = client.get(reverse("units:tree"), {"q": "phuong ben thanh"})
    assert r.status_code == 200
    assert "Đảng ủy phường Bến Thành" in r.text
    assert "Tân Định" not in r.text.split('id="results-title"')[1].split("tree-title")[0]
    assert "Thành ủy" in r.text  # the breadcrumb of the result


def test_search_stays_inside_the_users_reach(world, login):
    client = login(world.other_ward_officer)
    r = client.get(reverse("units:tree"), {"q": "ben thanh"})
    assert r.status_code == 200
    assert "Bến Thành" not in r.text


def test_the_children_fragment_lists_children_and_a_more_link(world, login):
    for i in range(105):
        unit_create(parent=world.tan_dinh, name=f"Chi bộ {i:03d}", kind=Unit.Kind.GRASSROOTS)
    client = login(world.city_leader)
    url = reverse("units:children", args=[world.tan_dinh.pk])
    r = client.get(url, **HTMX)
    assert r.status_code == 200
    assert r.text.count("<li>") >= 100 and "Chi bộ 099" in r.text and "Chi bộ 100" not in r.text
    assert f"{url}?page=2" in r.text
    r = client.get(url, {"page": 2}, **HTMX)
    assert "Chi bộ 104" in r.text and "page=3" not in r.text


def test_the_children_fragment_without_htmx_sends_to_the_unit_page(world, login):
    client = login(world.city_leader)
    r = client.get(reverse("units:children", args=[world.city.pk]))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("units:detail", args=[world.city.pk]))


def test_the_detail_page_shows_facts_children_members_and_history(world, login):
    client = login(world.ward_officer)
    r = client.get(reverse("units:detail", args=[world.ben_thanh.pk]))
    assert r.status_code == 200
    assert "DU26743" in r.text and "Chi bộ khu phố 1" in r.text
    assert "Trần Thị Bình" in r.text  # a member
    assert "1.200" in r.text or "1200" in r.text
    assert reverse("units:export", args=[world.ben_thanh.pk]) in r.text
    assert reverse("units:import", args=[world.ben_thanh.pk]) not in r.text  # staff, not leader
    assert "Thành ủy" not in r.text  # the City is outside the officer's reach


def test_the_leader_sees_the_management_links(world, login):
    client = login(world.city_leader)
    r = client.get(reverse("units:detail", args=[world.ben_thanh.pk]))
    for name in ("import", "merge", "split", "dissolve", "edit"):
        assert reverse(f"units:{name}", args=[world.ben_thanh.pk]) in r.text
    assert "Thành ủy" in r.text  # breadcrumbs


def test_children_are_sortable_by_name(world, login):
    client = login(world.city_leader)
    r = client.get(reverse("units:detail", args=[world.city.pk]), {"order": "name"})
    assert r.text.index("Đảng ủy phường Bến Thành") < r.text.index("Ủy ban nhân dân Thành phố")
    r = client.get(reverse("units:detail", args=[world.city.pk]), {"order": "-name"})
    assert r.text.index("Đảng ủy phường Bến Thành") > r.text.index("Ủy ban nhân dân Thành phố")
    r = client.get(reverse("units:detail", args=[world.city.pk]), {"order": "password"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "name,query",
    [
        ("detail", {}),
        ("children", {}),
        ("export", {"format": "csv"}),
        ("export", {"format": "xlsx"}),
        ("import", {}),
        ("edit", {}),
        ("merge", {}),
        ("split", {}),
        ("dissolve", {}),
    ],
)
def test_the_other_ward_officer_gets_404_on_ben_thanh(world, login, name, query):
    client = login(world.other_ward_officer)
    r = client.get(reverse(f"units:{name}", args=[world.ben_thanh.pk]), query, **HTMX)
    assert r.status_code == 404


@pytest.mark.parametrize("name", ["import", "edit", "merge", "split", "dissolve"])
def test_staff_and_observers_cannot_open_the_leader_pages(world, login, name):
    for user in (world.ward_officer, world.observer):
        r = login(user).get(reverse(f"units:{name}", args=[world.ben_thanh.pk]))
        assert r.status_code == 404


def test_the_export_streams_the_subtree_as_csv(world, login):
    client = login(world.ward_officer)
    r = client.get(reverse("units:export", args=[world.ben_thanh.pk]), {"format": "csv"})
    assert r.status_code == 200 and r.streaming
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(tabular.COLUMNS)
    assert "DU26743" in text and "Chi bộ khu phố 1" in text and "Tân Định" not in text
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 1


def test_the_export_as_xlsx_is_a_workbook(world, login):
    from openpyxl import load_workbook

    r = login(world.ward_officer).get(
        reverse("units:export", args=[world.ben_thanh.pk]), {"format": "xlsx"}
    )
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    assert len(list(book.worksheets[0].iter_rows())) == 3


def test_the_template_downloads(world, login):
    client = login(world.ward_officer)
    r = client.get(reverse("units:import_template"))
    assert r.status_code == 200 and r["Content-Type"] == tabular.XLSX_TYPE
    r = client.get(reverse("units:import_template"), {"format": "csv"})
    assert r.content.decode("utf-8-sig").strip() == ",".join(tabular.COLUMNS)


def _upload(text: str, name: str = "units.csv") -> io.BytesIO:
    f = io.BytesIO(text.encode("utf-8"))
    f.name = name
    return f


def test_the_import_page_imports_a_good_file(world, login):
    client = login(world.city_leader)
    url = reverse("units:import", args=[world.ben_thanh.pk])
    assert client.get(url).status_code == 200
    body = ",".join(tabular.COLUMNS) + "\nKP5,Chi bộ khu phố 5,,grassroots,,,12,,,,\n"
    r = client.post(url, {"file": _upload(body)})
    assert r.status_code == 302
    assert Unit.objects.get(code="KP5").is_within(world.ben_thanh)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count() == 1


def test_the_import_page_lists_errors_and_imports_nothing(world, login):
    client = login(world.city_leader)
    url = reverse("units:import", args=[world.ben_thanh.pk])
    body = ",".join(tabular.COLUMNS) + "\nKP5,Chi bộ 5,,grassroots,,,,,,,\nKP6,,,lạ,,,-3,,,,\n"
    r = client.post(url, {"file": _upload(body)})
    assert r.status_code == 200
    assert '<td class="num">3</td>' in r.text and "party_members" in r.text
    assert not Unit.objects.filter(code__in=["KP5", "KP6"]).exists()


def test_the_import_page_refuses_other_file_types(world, login):
    client = login(world.city_leader)
    r = client.post(
        reverse("units:import", args=[world.ben_thanh.pk]), {"file": _upload("x", "a.txt")}
    )
    assert r.status_code == 200 and "errorlist" in r.text


def test_the_import_page_refuses_a_file_over_the_cap_with_its_size(world, login, settings):
    settings.UPLOAD_MAX_BYTES = 100 * 1024
    client = login(world.city_leader)
    rows = "code,name\n" + "".join(f"KP{i},Chi bộ khu phố {i}\n" for i in range(20_000))
    r = client.post(
        reverse("units:import", args=[world.ben_thanh.pk]), {"file": _upload(rows, "a.csv")}
    )
    assert r.status_code == 200
    assert "Tệp quá lớn" in r.text and "Dung lượng tối đa là 0.1 MB" in r.text
    assert not Unit.objects.filter(code="KP1").exists()


def test_the_edit_page_saves_the_unit(world, login):
    client = login(world.city_leader)
    url = reverse("units:edit", args=[world.ben_thanh.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": "Đảng ủy phường Bến Thành",
        "short_name": "ĐU Bến Thành",
        "kind": "party_committee",
        "code": "DU26743",
        "cadres": 90,
        "party_members": 1200,
        "union_members": 0,
        "association_members": 0,
        "active_from": "01/07/2025",
    }
    r = client.post(url, data)
    assert r.status_code == 302
    world.ben_thanh.refresh_from_db()
    assert world.ben_thanh.cadres == 90 and str(world.ben_thanh.active_from) == "2025-07-01"
    history = client.get(reverse("units:detail", args=[world.ben_thanh.pk])).text
    assert "Nguyễn Văn An" in history  # who changed it


def test_the_merge_page_asks_for_confirmation_then_merges(world, login):
    client = login(world.city_leader)
    url = reverse("units:merge", args=[world.ben_thanh.pk])
    assert client.get(url).status_code == 200
    data = {
        "others": [world.tan_dinh.pk],
        "name": "Đảng ủy phường Sài Gòn",
        "kind": "party_committee",
        "on": "01/07/2025",
    }
    r = client.post(url, data)
    assert r.status_code == 200 and 'name="confirm" value="1"' in r.text
    assert Unit.objects.get(pk=world.ben_thanh.pk).dissolved_on is None
    r = client.post(url, {**data, "confirm": "1"})
    assert r.status_code == 302
    new = Unit.objects.get(name="Đảng ủy phường Sài Gòn")
    assert r["Location"] == reverse("units:detail", args=[new.pk])
    page = client.get(reverse("units:detail", args=[world.ben_thanh.pk])).text
    assert "01/07/2025" in page and "Đảng ủy phường Sài Gòn" in page


def test_a_ward_leader_cannot_merge_into_a_unit_outside_their_reach(world, login):
    from trienkhai.core.testing import make_user

    leader = make_user("lanhdao.bt", unit=world.ben_thanh, role="leader")
    client = login(leader)
    url = reverse("units:dissolve", args=[world.ben_thanh_cell.pk])
    r = client.post(url, {"on": "01/07/2025", "successor_code": "DU26737"})
    assert r.status_code == 200 and "errorlist" in r.text
    r = client.post(
        reverse("units:merge", args=[world.ben_thanh_cell.pk]),
        {"name": "X", "kind": "grassroots", "on": "01/07/2025"},
    )
    assert r.status_code == 200 and Unit.objects.filter(name="X").count() == 0


def test_the_dissolve_page_shows_the_domain_error(world, login):
    client = login(world.city_leader)
    url = reverse("units:dissolve", args=[world.ben_thanh.pk])
    r = client.post(url, {"on": "01/07/2025", "confirm": "1"})
    assert r.status_code == 200 and "errorlist" in r.text  # has an active cell, no successor
    r = client.post(url, {"on": "01/07/2025", "successor_code": "DU26737", "confirm": "1"})
    assert r.status_code == 302
    assert Unit.objects.children_of(world.tan_dinh).count() == 1


def test_the_split_page_splits(world, login):
    client = login(world.city_leader)
    url = reverse("units:split", args=[world.ben_thanh.pk])
    cell = f"#{world.ben_thanh_cell.pk}"
    data = {"on": "01/07/2025", "parts": f"Phường A\nPhường B | {cell}", "confirm": "1"}
    r = client.post(url, data)
    assert r.status_code == 302
    b = Unit.objects.get(name="Phường B")
    assert Unit.objects.get(pk=world.ben_thanh_cell.pk).is_within(b)

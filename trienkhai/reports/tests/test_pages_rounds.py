"""Forms and rounds pages: lists, creation, versions, completeness with drill-down — scoped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trienkhai.core.testing import make_user
from trienkhai.reports.models import FormVersion, ReportForm, Round
from trienkhai.reports.selectors import forms_for_user, reports_for_user, rounds_for_user
from trienkhai.reports.tests.conftest import send

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


def test_who_reads_what(world, rep):
    outsider = make_user("nguoingoai")
    assert set(reports_for_user(world.ward_officer)) == {rep.bt, rep.cell}
    assert set(reports_for_user(world.other_ward_officer)) == {rep.td}
    assert set(reports_for_user(world.city_leader)) == {rep.city, rep.bt, rep.td, rep.cell}
    assert not reports_for_user(outsider).exists()
    # the City's round and form reach the wards below it, never an outsider
    for user in (world.ward_officer, world.other_ward_officer, world.observer):
        assert list(rounds_for_user(user)) == [rep.round]
        assert list(forms_for_user(user)) == [rep.form]
    assert not rounds_for_user(outsider).exists() and not forms_for_user(outsider).exists()


def test_the_rounds_list_counts_only_what_the_user_reads(
    world, rep, login, django_assert_max_num_queries
):
    send(rep.cell, rep.cell_officer)
    client = login(world.ward_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:rounds"))
    rnd = response.context["page"].object_list[0]
    assert (rnd.expected, rnd.submitted) == (2, 1)  # Bến Thành and its cell, not the City's 4
    rnd = login(world.city_leader).get(reverse("reports:rounds")).context["page"].object_list[0]
    assert (rnd.expected, rnd.submitted) == (4, 1)


def test_completeness_opens_on_the_user_s_subtree_and_drills_down(
    world, rep, login, django_assert_max_num_queries
):
    send(rep.cell, rep.cell_officer)
    url = reverse("reports:round", args=[rep.round.pk])
    client = login(world.city_leader)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.context["unit"] == world.city
    names = [r.unit.name for r in response.context["page"].object_list]
    assert names == [world.city.name, world.ben_thanh.name, world.tan_dinh.name]
    down = client.get(f"{url}?unit={world.ben_thanh.pk}&sort=-rate")
    assert [r.unit.name for r in down.context["page"].object_list] == [
        world.ben_thanh.name,
        world.ben_thanh_cell.name,
    ]
    fragment = client.get(f"{url}?unit={world.ben_thanh.pk}&fragment=1", HTTP_HX_REQUEST="true")
    assert _body(fragment).startswith('<section id="completeness"')
    assert client.get(f"{url}?sort=password").context["sort"] == "name"


def test_a_ward_reads_its_own_subtree_only(world, rep, login):
    url = reverse("reports:round", args=[rep.round.pk])
    client = login(world.ward_officer)
    response = client.get(url)
    assert response.context["unit"] == world.ben_thanh
    assert "Tân Định" not in _body(response)
    for unit in (world.city, world.tan_dinh):
        assert client.get(f"{url}?unit={unit.pk}").status_code == 404
    assert client.get(f"{url}?unit=abc").status_code == 404
    assert login(make_user("nguoingoai")).get(url).status_code == 404


def test_a_round_opens_from_its_page(world, rep, login):
    client = login(world.city_leader)
    assert client.get(reverse("reports:round_create")).status_code == 200
    data = {
        "owner": world.city.pk,
        "form": rep.form.pk,
        "title": "Báo cáo quý IV năm 2020",
        "period_kind": "quarterly",
        "year": "2020",
        "number": "4",
        "deadline_workdays": "3",
        "target_mode": "rule",
        "kinds": ["party_committee"],
        "depth": "1",
        "receiver_mode": "parent",
    }
    response = client.post(reverse("reports:round_create"), data)
    assert response.status_code == 302
    rnd = Round.objects.get(title="Báo cáo quý IV năm 2020")
    assert rnd.reports.count() == 3 and rnd.period_label == "2020-Q4"
    bad = client.post(reverse("reports:round_create"), {**data, "number": "5", "title": "Đợt sai"})
    assert bad.status_code == 400
    assert "Hãy chọn tháng, quý hoặc 6 tháng." in _body(bad) and 'value="Đợt sai"' in _body(bad)
    assert not Round.objects.filter(title="Đợt sai").exists()
    # a ward cannot open a round for the City
    ward = login(world.ward_officer).post(reverse("reports:round_create"), data)
    assert ward.status_code == 400 and Round.objects.count() == 2
    assert login(make_user("nguoingoai")).get(reverse("reports:round_create")).status_code == 404


def _form_data(name: str, indicators: list[dict]) -> dict:
    data = {
        "name": name,
        "code": "",
        "description": "",
        "note": "Thêm chỉ tiêu",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-key": "results",
        "sections-0-title": "Kết quả",
        "indicators-TOTAL_FORMS": str(len(indicators)),
        "indicators-INITIAL_FORMS": "0",
    }
    for i, ind in enumerate(indicators):
        for key, value in {"type": "integer", "aggregation": "sum", **ind}.items():
            data[f"indicators-{i}-{key}"] = value
    return data


def test_a_form_is_created_and_edited_into_a_new_version(world, rep, login):
    client = login(world.city_leader)
    data = _form_data("Báo cáo tuyên truyền", [{"code": "SL", "name": "Số lượt tuyên truyền"}])
    response = client.post(reverse("reports:form_create"), {**data, "owner": world.city.pk})
    assert response.status_code == 302
    form = ReportForm.objects.get(name="Báo cáo tuyên truyền")
    assert form.latest_version().indicators.get().code == "SL"
    # rep.form is used by a round: editing writes version 2
    data = _form_data(
        rep.form.name, [{"code": "HN", "name": "Số hội nghị"}, {"code": "X1", "name": "Mới"}]
    )
    response = client.post(reverse("reports:form_edit", args=[rep.form.pk]), data)
    assert response.status_code == 302
    assert FormVersion.objects.filter(form=rep.form).count() == 2
    assert rep.round.version.indicators.count() == 7


def test_form_errors_land_on_their_row(world, rep, login):
    client = login(world.city_leader)
    data = _form_data(
        "Sai",
        [
            {"code": "A", "name": "Tỷ lệ", "type": "percent", "aggregation": "sum"},
            {"code": "B", "name": "Bình quân", "aggregation": "weighted_avg", "weight_code": "Z"},
        ],
    )
    response = client.post(reverse("reports:form_create"), {**data, "owner": world.city.pk})
    assert response.status_code == 400
    rows = response.context["indicators"].forms
    assert "Cách tổng hợp này không phù hợp" in rows[0].errors["aggregation"][0]
    assert rows[1].errors["weight_code"] == [
        "Hãy nhập mã của một chỉ tiêu khác trong mẫu này dùng làm trọng số."
    ]
    assert not ReportForm.objects.filter(name="Sai").exists()


def test_only_the_owner_edits_a_form(world, rep, login):
    ward = login(world.ward_officer)
    assert ward.get(reverse("reports:form", args=[rep.form.pk])).status_code == 200
    assert ward.get(reverse("reports:form_edit", args=[rep.form.pk])).status_code == 404
    assert (
        login(world.observer).get(reverse("reports:form_edit", args=[rep.form.pk])).status_code
        == 404
    )
    assert (
        login(make_user("nguoingoai")).get(reverse("reports:form", args=[rep.form.pk])).status_code
        == 404
    )


def test_the_lists_read_well(world, rep, login, django_assert_max_num_queries):
    client = login(world.city_leader)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:forms")).status_code == 200
    body = _body(client.get(reverse("reports:form", args=[rep.form.pk])))
    assert "Bình quân gia quyền" in body and "Hạn chế, khuyết điểm và nguyên nhân" in body

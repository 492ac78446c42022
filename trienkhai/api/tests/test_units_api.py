"""The units API: scoped reads, allow-listed filters, writes only for leaders."""

from __future__ import annotations

import pytest

from trienkhai.units.models import Unit

URL = "/api/v1/units/"


def _names(response) -> set[str]:
    return {u["name"] for u in response.json()["results"]}


def test_anonymous_gets_nothing(client, world):
    assert client.get(URL).status_code in (401, 403)


def test_it_lists_only_units_within_reach(world, login):
    response = login(world.ward_officer).get(URL)
    assert response.status_code == 200
    assert _names(response) == {world.ben_thanh.name, world.ben_thanh_cell.name}


def test_the_city_leader_sees_the_whole_city(world, login):
    response = login(world.city_leader).get(URL)
    assert response.json()["count"] == Unit.objects.subtree_of(world.city).count()


def test_the_other_ward_officer_gets_404_on_ben_thanh(world, login):
    client = login(world.other_ward_officer)
    pk = world.ben_thanh.pk
    assert client.get(f"{URL}{pk}/").status_code == 404
    assert client.get(f"{URL}{pk}/children/").status_code == 404
    assert client.get(f"{URL}{pk}/ancestors/").status_code == 404
    assert client.get(URL, {"parent": pk}).status_code == 404
    assert (
        client.patch(f"{URL}{pk}/", {"name": "X"}, content_type="application/json").status_code
        == 404
    )
    assert world.ben_thanh.name not in _names(client.get(URL))
    assert world.ben_thanh.name not in _names(client.get(URL, {"q": "ben thanh"}))


def test_it_returns_one_unit_with_its_parent(world, login):
    response = login(world.ward_officer).get(f"{URL}{world.ben_thanh_cell.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["parent"] == world.ben_thanh.pk
    assert body["kind"] == "grassroots"
    assert body["has_children"] is False


def test_it_lists_children(world, login):
    response = login(world.city_leader).get(f"{URL}{world.city.pk}/children/")
    assert _names(response) == {world.city_pc.name, world.ben_thanh.name, world.tan_dinh.name}
    assert {u["parent"] for u in response.json()["results"]} == {world.city.pk}


def test_ancestors_stop_at_the_edge_of_the_reach(world, login):
    cell = world.ben_thanh_cell.pk
    mine = login(world.ward_officer).get(f"{URL}{cell}/ancestors/").json()
    assert [u["name"] for u in mine] == [world.ben_thanh.name]
    leader = login(world.city_leader).get(f"{URL}{cell}/ancestors/").json()
    assert [u["name"] for u in leader] == [world.city.name, world.ben_thanh.name]


def test_it_filters_by_kind_parent_code_and_accent_free_words(world, login):
    client = login(world.city_leader)
    assert _names(client.get(URL, {"kind": "peoples_committee"})) == {world.city_pc.name}
    assert _names(client.get(URL, {"parent": world.ben_thanh.pk})) == {world.ben_thanh_cell.name}
    assert _names(client.get(URL, {"code": "DU26737"})) == {world.tan_dinh.name}
    assert _names(client.get(URL, {"q": "phuong ben thanh"})) == {world.ben_thanh.name}
    assert _names(client.get(URL, {"q": "ĐẢNG ỦY phường tân định"})) == {world.tan_dinh.name}


def test_unknown_parameters_are_ignored(world, login):
    client = login(world.ward_officer)
    plain = client.get(URL).json()
    for params in (
        {"_connector": "OR"},
        {"_negated": "1", "path__startswith": ""},
        {"created_by__password__startswith": "pbkdf2"},
        {"name__regex": ".*"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert response.json() == plain


@pytest.mark.parametrize(
    "params",
    [
        {"parent": "abc"},
        {"parent": "-1"},
        {"parent": "1e3"},
        {"parent": str(10**30)},
        {"kind": "nonsense"},
        {"q": "x" * 10_000},
        {"q": "ben\x00thanh"},
        {"code": "c" * 500},
    ],
)
def test_malformed_filters_are_400_with_a_reason(world, login, params):
    response = login(world.city_leader).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_a_search_with_stray_combining_marks_does_not_fail(world, login):
    response = login(world.city_leader).get(URL, {"q": "\u0301\u0323 ben \u0300thanh"})
    assert response.status_code == 200


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "1.5", str(10**30), "%00"])
def test_malformed_ids_are_404(world, login, pk):
    client = login(world.city_leader)
    assert client.get(f"{URL}{pk}/").status_code == 404


def test_bad_page_numbers_are_404_not_500(world, login):
    assert login(world.city_leader).get(URL, {"page": "abc"}).status_code == 404
    assert login(world.city_leader).get(URL, {"page": "999"}).status_code == 404


def test_the_list_query_count_does_not_grow_with_the_page(
    world, login, django_assert_max_num_queries
):
    from trienkhai.units.services import unit_create

    for i in range(30):
        unit_create(parent=world.city, name=f"Đảng ủy xã {i}", kind="party_committee")
    client = login(world.city_leader)
    # Session, user, memberships, count, page, parents, session save.
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.json()["count"] == 35


# --- writes ----------------------------------------------------------------------


def _post(client, data):
    return client.post(URL, data, content_type="application/json")


def test_the_city_leader_creates_a_unit(world, login):
    response = _post(
        login(world.city_leader),
        {
            "parent": world.ben_thanh.pk,
            "name": "  Chi bộ   khu phố 2 ",
            "kind": "grassroots",
            "party_members": 35,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Chi bộ khu phố 2"
    assert body["parent"] == world.ben_thanh.pk
    unit = Unit.objects.get(pk=body["id"])
    assert unit.is_within(world.ben_thanh)
    assert unit.party_members == 35


def test_ward_staff_cannot_create_units_under_the_city(world, login):
    client = login(world.ward_officer)
    response = _post(client, {"parent": world.city.pk, "name": "X", "kind": "grassroots"})
    assert response.status_code == 400
    assert "parent" in response.json()
    # Their own ward is within reach, but staff do not manage the structure.
    response = _post(client, {"parent": world.ben_thanh.pk, "name": "X", "kind": "grassroots"})
    assert response.status_code == 403
    assert not Unit.objects.filter(name="X").exists()


def test_the_observer_cannot_write(world, login):
    client = login(world.observer)
    response = _post(client, {"parent": world.city.pk, "name": "X", "kind": "grassroots"})
    assert response.status_code == 403
    response = client.patch(
        f"{URL}{world.ben_thanh.pk}/", {"name": "X"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Unit.objects.get(pk=world.ben_thanh.pk).name != "X"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"parent": "abc", "name": "X", "kind": "grassroots"},
        {"parent": {"pk": 1}, "name": "X", "kind": "grassroots"},
        {"parent": [1], "name": "X", "kind": "grassroots"},
        {"parent": True, "name": "X", "kind": "grassroots"},
        {"parent": 10**30, "name": "X", "kind": "grassroots"},
        {"parent": 999999, "name": "X", "kind": "grassroots"},
        {"name": "X", "kind": "grassroots"},
        {"parent": None, "name": "X", "kind": "grassroots"},
        {"parent": "PARENT", "name": "   ", "kind": "grassroots"},
        {"parent": "PARENT", "name": "X", "kind": "bogus"},
        {"parent": "PARENT", "name": "X" * 300, "kind": "grassroots"},
        {"parent": "PARENT", "name": "X", "kind": "grassroots", "party_members": -1},
        {"parent": "PARENT", "name": "X", "kind": "grassroots", "active_from": "31/31/2020"},
        {"parent": "PARENT", "name": "X", "kind": "grassroots", "code": "DU26737"},
        {
            "parent": "PARENT",
            "name": "X",
            "kind": "grassroots",
            "active_from": "2021-01-01",
            "dissolved_on": "2020-01-01",
        },
    ],
)
def test_bad_unit_input_is_400_with_a_reason(world, login, data):
    data = {k: (world.ben_thanh.pk if v == "PARENT" else v) for k, v in data.items()}
    response = _post(login(world.city_leader), data)
    assert response.status_code == 400
    assert response.json()


def test_a_malformed_body_is_400(world, login):
    response = login(world.city_leader).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_the_leader_updates_a_unit_in_their_subtree(world, login):
    response = login(world.city_leader).patch(
        f"{URL}{world.tan_dinh.pk}/",
        {"short_name": "ĐU Tân Định", "party_members": 1500, "code": ""},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    unit = Unit.objects.get(pk=world.tan_dinh.pk)
    assert (unit.short_name, unit.party_members, unit.code) == ("ĐU Tân Định", 1500, None)
    assert unit.history.first().history_user == world.city_leader


def test_an_update_cannot_take_a_code_in_use_or_end_before_it_starts(world, login):
    client = login(world.city_leader)
    url = f"{URL}{world.tan_dinh.pk}/"
    response = client.patch(url, {"code": "TU79"}, content_type="application/json")
    assert response.status_code == 400
    assert "code" in response.json()
    client.patch(url, {"active_from": "2020-01-01"}, content_type="application/json")
    response = client.patch(url, {"dissolved_on": "2019-01-01"}, content_type="application/json")
    assert response.status_code == 400
    assert "dissolved_on" in response.json()


def test_the_update_ignores_fields_it_does_not_allow(world, login):
    response = login(world.city_leader).patch(
        f"{URL}{world.tan_dinh.pk}/",
        {"path": "0001", "depth": 1, "kind": "external", "successor": world.city.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    unit = Unit.objects.get(pk=world.tan_dinh.pk)
    assert unit.kind == "party_committee" and unit.is_within(world.city) and unit.successor is None


def test_put_and_delete_are_not_allowed(world, login):
    client = login(world.city_leader)
    url = f"{URL}{world.tan_dinh.pk}/"
    assert client.put(url, {"name": "X"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405


def test_a_parent_outside_the_reach_is_not_named(world, login):
    body = login(world.ward_officer).get(f"{URL}{world.ben_thanh.pk}/").json()
    assert body["parent"] is None
    assert (
        login(world.city_leader).get(f"{URL}{world.ben_thanh.pk}/").json()["parent"]
        == world.city.pk
    )


def test_head_and_options_do_not_tell_hidden_units_apart(world, login):
    client = login(world.other_ward_officer)
    assert client.head(f"{URL}{world.ben_thanh.pk}/").status_code == 404
    hidden = client.options(f"{URL}{world.ben_thanh.pk}/")
    missing = client.options(f"{URL}999999/")
    assert hidden.status_code == missing.status_code
    assert hidden.content == missing.content

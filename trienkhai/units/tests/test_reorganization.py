"""Merge, split and dissolve, replayed on real reorganizations."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from trienkhai.core.errors import DomainError
from trienkhai.units.models import Unit
from trienkhai.units.selectors import current_successor, successor_chain, unit_history
from trienkhai.units.services import unit_create, unit_dissolve, unit_merge, unit_split

K = Unit.Kind
NEW_YEAR_2021 = dt.date(2021, 1, 1)  # Resolution 1111/NQ-UBTVQH14 took effect on 01/01/2021

WARDS = {
    "Quận 2": ["Phường Thảo Điền", "Phường An Phú", "Phường Cát Lái"],
    "Quận 9": ["Phường Long Bình", "Phường Hiệp Phú"],
    "Quận Thủ Đức": ["Phường Linh Trung", "Phường Hiệp Bình Chánh"],
}


@pytest.fixture
def hcmc_2020(db):
    city = unit_create(
        parent=None, name="Ủy ban nhân dân Thành phố Hồ Chí Minh", kind=K.PEOPLES_COMMITTEE
    )
    districts = {}
    for name, wards in WARDS.items():
        district = unit_create(
            parent=city, name=name, kind=K.PEOPLES_COMMITTEE, active_from=dt.date(1997, 4, 1)
        )
        for ward in wards:
            unit_create(parent=district, name=ward, kind=K.PEOPLES_COMMITTEE)
        districts[name] = district
    unit_create(parent=city, name="Quận 1", kind=K.PEOPLES_COMMITTEE)
    return city, districts


@time_machine.travel(dt.datetime(2021, 6, 1, 9, 0), tick=False)
def test_it_replays_the_2021_merger_into_thu_duc_city(hcmc_2020, world):
    city, districts = hcmc_2020
    thu_duc = unit_merge(
        sources=list(districts.values()),
        name="Thành phố  Thủ Đức",
        on=NEW_YEAR_2021,
        by=world.admin,
    )

    assert thu_duc.name == "Thành phố Thủ Đức"
    assert thu_duc.active_from == NEW_YEAR_2021
    assert thu_duc.is_within(city) and thu_duc.depth == 2
    wards = [u.name for u in Unit.objects.children_of(thu_duc)]
    assert sorted(wards) == sorted(w for ws in WARDS.values() for w in ws)
    for name, old in districts.items():
        old.refresh_from_db()
        assert old.name == name  # history stays readable under the old name
        assert old.dissolved_on == NEW_YEAR_2021
        assert old.successor == thu_duc
        assert old.numchild == 0
        assert not old.is_active()
        assert old.is_active(dt.date(2020, 12, 31))
        assert current_successor(old) == thu_duc
        assert "Thành phố Thủ Đức" in unit_history(old)[0].reason
    thao_dien = Unit.objects.get(name="Phường Thảo Điền")
    assert thao_dien.is_within(thu_duc)
    assert "Quận 2" in unit_history(thao_dien)[0].reason
    assert set(thu_duc.predecessors.values_list("name", flat=True)) == set(WARDS)
    assert Unit.objects.get(pk=city.pk).numchild == 5  # 3 old districts, Quận 1, the new city
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_it_refuses_to_merge_a_unit_into_its_own_descendant(hcmc_2020):
    _, districts = hcmc_2020
    ward = Unit.objects.children_of(districts["Quận 2"]).first()
    with pytest.raises(DomainError) as err:
        unit_merge(sources=[districts["Quận 2"]], into=ward, on=NEW_YEAR_2021)
    assert err.value.code == "into_descendant"


def test_it_refuses_a_date_before_the_unit_became_active(hcmc_2020):
    _, districts = hcmc_2020
    with pytest.raises(DomainError) as err:
        unit_merge(sources=list(districts.values()), name="X", on=dt.date(1990, 1, 1))
    assert err.value.code == "before_active"


def test_it_refuses_to_dissolve_an_already_dissolved_unit(hcmc_2020):
    _, districts = hcmc_2020
    unit_merge(sources=list(districts.values()), name="Thành phố Thủ Đức", on=NEW_YEAR_2021)
    with pytest.raises(DomainError) as err:
        unit_dissolve(unit=districts["Quận 9"], on=dt.date(2022, 1, 1))
    assert err.value.code == "already_dissolved"


def test_it_refuses_to_dissolve_a_unit_with_active_children_and_no_successor(hcmc_2020):
    _, districts = hcmc_2020
    with pytest.raises(DomainError) as err:
        unit_dissolve(unit=districts["Quận 9"], on=dt.date(2022, 1, 1))
    assert err.value.code == "has_children"


def test_dissolving_hands_the_children_to_the_successor(hcmc_2020):
    _, districts = hcmc_2020
    q9, td = districts["Quận 9"], districts["Quận Thủ Đức"]
    unit_dissolve(unit=q9, on=dt.date(2022, 1, 1), successor=td)
    q9.refresh_from_db()
    assert q9.dissolved_on == dt.date(2022, 1, 1) and q9.successor == td
    assert Unit.objects.children_of(td).count() == 4
    assert successor_chain(q9) == [td]


def test_it_merges_into_an_existing_unit(hcmc_2020):
    _, districts = hcmc_2020
    td = unit_merge(sources=[districts["Quận 2"]], into=districts["Quận Thủ Đức"], on=NEW_YEAR_2021)
    assert td.pk == districts["Quận Thủ Đức"].pk
    assert Unit.objects.children_of(td).count() == 5


def test_it_splits_a_unit_and_gives_each_part_its_children(hcmc_2020):
    _, districts = hcmc_2020
    q2 = districts["Quận 2"]
    thao_dien, an_phu, cat_lai = list(Unit.objects.children_of(q2))
    north, south = unit_split(
        source=q2,
        parts=[
            {"name": "Quận 2 Bắc", "children": [thao_dien]},
            {"name": "Quận 2 Nam", "children": [cat_lai], "main": True, "code": "Q2N"},
        ],
        on=dt.date(2022, 1, 1),
    )
    q2.refresh_from_db()
    assert q2.successor == south and q2.dissolved_on == dt.date(2022, 1, 1)
    assert [u.name for u in Unit.objects.children_of(north)] == ["Phường Thảo Điền"]
    # An Phú was given to no part: it goes to the main part.
    assert {u.name for u in Unit.objects.children_of(south)} == {"Phường Cát Lái", "Phường An Phú"}
    assert south.code == "Q2N" and north.kind == q2.kind
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_a_split_needs_two_parts(hcmc_2020):
    _, districts = hcmc_2020
    with pytest.raises(DomainError) as err:
        unit_split(source=districts["Quận 2"], parts=[{"name": "A"}], on=dt.date(2022, 1, 1))
    assert err.value.code == "too_few"


def test_current_successor_follows_several_reorganizations(hcmc_2020):
    _, districts = hcmc_2020
    thu_duc = unit_merge(sources=list(districts.values()), name="TP Thủ Đức", on=NEW_YEAR_2021)
    later = unit_merge(
        sources=[thu_duc], into=Unit.objects.get(name="Quận 1"), on=dt.date(2025, 7, 1)
    )
    q2 = Unit.objects.get(pk=districts["Quận 2"].pk)
    assert successor_chain(q2) == [thu_duc, later]
    assert current_successor(q2) == later
    assert current_successor(later) == later


def test_breadcrumbs_for_many_units_come_from_one_query(world, django_assert_num_queries):
    from trienkhai.units.selectors import breadcrumbs_for

    units = [world.ben_thanh_cell, world.tan_dinh, world.city]
    with django_assert_num_queries(1):
        crumbs = breadcrumbs_for(units)
    assert crumbs[world.ben_thanh_cell.pk] == [world.city, world.ben_thanh]
    assert crumbs[world.tan_dinh.pk] == [world.city]
    assert crumbs[world.city.pk] == []

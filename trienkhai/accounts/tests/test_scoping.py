import pytest
from django.http import Http404

from trienkhai.accounts.scoping import (
    can_act_for_unit,
    can_manage_unit,
    get_unit_for_user,
    home_unit,
    units_for_user,
)


def test_a_role_reaches_the_whole_subtree(world):
    names = set(units_for_user(world.ward_officer).values_list("name", flat=True))
    assert names == {"Đảng ủy phường Bến Thành", "Chi bộ khu phố 1"}


def test_it_hides_sibling_subtree(world):
    with pytest.raises(Http404):
        get_unit_for_user(world.other_ward_officer, world.ben_thanh.pk)
    with pytest.raises(Http404):
        get_unit_for_user(world.other_ward_officer, world.ben_thanh_cell.pk)


def test_it_hides_ancestors(world):
    with pytest.raises(Http404):
        get_unit_for_user(world.ward_officer, world.city.pk)


def test_garbage_ids_are_404(world):
    for pk in ("abc", None, 10**12, "-1"):
        with pytest.raises(Http404):
            get_unit_for_user(world.city_leader, pk)


def test_staff_act_only_for_their_own_unit(world):
    assert can_act_for_unit(world.ward_officer, world.ben_thanh)
    assert not can_act_for_unit(world.ward_officer, world.ben_thanh_cell)
    assert not can_act_for_unit(world.observer, world.city)


def test_leaders_manage_their_subtree_and_staff_do_not(world):
    assert can_manage_unit(world.city_leader, world.ben_thanh_cell)
    assert not can_manage_unit(world.ward_officer, world.ben_thanh)
    with pytest.raises(Http404):
        get_unit_for_user(world.ward_officer, world.ben_thanh.pk, manage=True)


def test_inactive_and_anonymous_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert units_for_user(AnonymousUser()).count() == 0
    world.city_leader.is_active = False
    assert units_for_user(world.city_leader).count() == 0


def test_superusers_see_everything_and_land_on_the_root(world):
    assert units_for_user(world.admin).count() == 5
    assert home_unit(world.admin) == world.city
    assert home_unit(world.ward_officer) == world.ben_thanh

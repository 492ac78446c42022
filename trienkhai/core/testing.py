"""A small tree and the three personas every test shares (built with code, not fixtures).

City Party Committee (Thành ủy) ─┬─ City People's Committee
                                 ├─ Ward Bến Thành party committee ── grassroots cell
                                 └─ Ward Tân Định party committee
Personas: a City leader, a Bến Thành ward officer, a Tân Định officer who must get 404
on Bến Thành's objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from trienkhai.accounts.models import Membership, User
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

PASSWORD = "test-Password-2026"  # noqa: S105 - test personas only


@dataclass
class World:
    city: Unit
    city_pc: Unit
    ben_thanh: Unit
    ben_thanh_cell: Unit
    tan_dinh: Unit
    city_leader: User
    ward_officer: User
    other_ward_officer: User
    observer: User
    admin: User


def make_user(username: str, *, unit: Unit | None = None, role: str = "staff", **kw) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **kw)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def build_world() -> World:
    k = Unit.Kind
    city = unit_create(
        parent=None,
        name="Đảng bộ Thành phố Hồ Chí Minh",
        short_name="Thành ủy",
        kind=k.PARTY_COMMITTEE,
        code="TU79",
        party_members=366000,
    )
    city_pc = unit_create(
        parent=city,
        name="Ủy ban nhân dân Thành phố",
        short_name="UBND TP",
        kind=k.PEOPLES_COMMITTEE,
    )
    ben_thanh = unit_create(
        parent=city,
        name="Đảng ủy phường Bến Thành",
        kind=k.PARTY_COMMITTEE,
        code="DU26743",
        party_members=1200,
        cadres=80,
    )
    cell = unit_create(
        parent=ben_thanh, name="Chi bộ khu phố 1", kind=k.GRASSROOTS, party_members=40
    )
    tan_dinh = unit_create(
        parent=city, name="Đảng ủy phường Tân Định", kind=k.PARTY_COMMITTEE, code="DU26737"
    )
    return World(
        city=city,
        city_pc=city_pc,
        ben_thanh=ben_thanh,
        ben_thanh_cell=cell,
        tan_dinh=tan_dinh,
        city_leader=make_user("lanhdao", unit=city, role="leader", full_name="Nguyễn Văn An"),
        ward_officer=make_user("canbo.benthanh", unit=ben_thanh, full_name="Trần Thị Bình"),
        other_ward_officer=make_user("canbo.tandinh", unit=tan_dinh, full_name="Lê Văn Cường"),
        observer=make_user("quansat", unit=city, role="observer", full_name="Phạm Thị Dung"),
        admin=User.objects.create_superuser("admin", "admin@example.org", PASSWORD),
    )

"""A small tree and the three personas every test shares (built with code, not fixtures).

City Party Committee (Thành ủy) ─┬─ City People's Committee
                                 ├─ Ward Bến Thành party committee ── grassroots cell
                                 └─ Ward Tân Định party committee
Personas: a City leader, a Bến Thành ward officer, a Tân Định officer who must get 404
on Bến Thành's objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trienkhai.accounts.models import Membership, User
from trienkhai.documents.models import Document
from trienkhai.documents.services import document_create
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


@dataclass
class Chain:
    nq52: Document
    hd116: Document
    letter: Document
    program: Document
    plan_bt: Document
    plan_td: Document


def build_chain(world: World) -> Chain:
    """52-NQ/TW → 116-HD/BTGTW → the City letter → the Action Program → ward plans."""
    nq52 = document_create(
        owner=world.city,
        by=None,
        symbol="52-NQ/TW",
        title="Nghị quyết về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng"
        " công nghiệp lần thứ tư",
        issue_date=dt.date(2019, 9, 27),
        issuer_name="Bộ Chính trị",
        visibility=Document.Visibility.PUBLIC,
    )
    hd116 = document_create(
        owner=world.city,
        by=None,
        symbol="116-HD/BTGTW",
        title="Hướng dẫn triển khai thực hiện Nghị quyết 52",
        issue_date=dt.date(2020, 1, 13),
        issuer_name="Ban Tuyên giáo Trung ương",
        visibility=Document.Visibility.PUBLIC,
        implements=[nq52],
    )
    letter = document_create(
        owner=world.city,
        by=None,
        symbol="2156-CV/TU",
        summary="Thực hiện Hướng dẫn 116-HD/BTGTW về Nghị quyết 52",
        issue_date=dt.date(2020, 6, 3),
        issuer_unit=world.city,
        implements=[hd116],
    )
    program = document_create(
        owner=world.city,
        by=None,
        symbol="30-CTr/TU",
        title="Chương trình hành động thực hiện Nghị quyết 52-NQ/TW",
        issue_date=dt.date(2020, 6, 30),
        issuer_unit=world.city,
        implements=[letter],
    )
    plan_bt = document_create(
        owner=world.ben_thanh,
        by=None,
        symbol="15-KH/ĐU",
        title="Kế hoạch thực hiện Chương trình hành động của phường Bến Thành",
        issue_date=dt.date(2020, 8, 1),
        issuer_unit=world.ben_thanh,
        implements=[program],
    )
    plan_td = document_create(
        owner=world.tan_dinh,
        by=None,
        symbol="15-KH/ĐU",
        title="Kế hoạch thực hiện Chương trình hành động của phường Tân Định",
        issue_date=dt.date(2020, 8, 2),
        issuer_unit=world.tan_dinh,
        implements=[program],
    )
    return Chain(nq52, hd116, letter, program, plan_bt, plan_td)


def browser_login(page, live_server, username: str) -> None:
    """Log a persona in through the login page, in Chromium (browser tests)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")

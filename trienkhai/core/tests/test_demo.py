"""The demo: the City, its 168 wards and communes, the Resolution 52 chain, three personas."""

from __future__ import annotations

import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404

from trienkhai.accounts.models import User
from trienkhai.accounts.scoping import units_for_user
from trienkhai.core import demo
from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user, get_document_for_user
from trienkhai.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def built(var_dir):
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    return out.getvalue()


def _unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def test_it_builds_the_city_with_its_168_wards_and_communes(built):
    city = _unit("Đảng bộ Thành phố Hồ Chí Minh")
    wards = (
        Unit.objects.children_of(city)
        .of_kind(Unit.Kind.PARTY_COMMITTEE)
        .filter(code__startswith="DU")
    )
    assert wards.count() == 168
    assert (
        Unit.objects.of_kind(Unit.Kind.PEOPLES_COMMITTEE).filter(code__startswith="W").count()
        == 168
    )
    ben_thanh = _unit("Đảng ủy phường Bến Thành")
    assert [u.name for u in Unit.objects.children_of(ben_thanh).of_kind("peoples_committee")] == [
        "Ủy ban nhân dân phường Bến Thành"
    ]
    assert Unit.objects.children_of(ben_thanh).of_kind("grassroots").count() >= 2
    assert 300 <= ben_thanh.party_members <= 3000 and 40 <= ben_thanh.cadres <= 200
    # Names are clean even where the package has a double space.
    assert Unit.objects.filter(name="Đảng ủy phường Rạch Dừa").exists()
    assert Unit.objects.filter(name="Đảng ủy đặc khu Côn Đảo").exists()
    for name in (
        "Ban Thường vụ Thành ủy",
        "Ban Tổ chức Thành ủy",
        "Ban Tuyên giáo và Dân vận Thành ủy",
        "Ban Nội chính Thành ủy",
        "Ủy ban Kiểm tra Thành ủy",
        "Văn phòng Thành ủy",
        "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố Hồ Chí Minh",
        "Bộ Chính trị",
        "Ban Tuyên giáo Trung ương",
    ):
        assert _unit(name).pk
    assert "units: " in built and "Demo built" in built


def test_the_people_s_committee_passed_from_the_cadre_committee_to_its_party_committee(built):
    old = _unit("Ban cán sự đảng Ủy ban nhân dân Thành phố")
    new = _unit("Đảng ủy Ủy ban nhân dân Thành phố")
    assert old.dissolved_on is not None and old.successor == new
    pc = _unit("Ủy ban nhân dân Thành phố Hồ Chí Minh")
    assert list(Unit.objects.ancestors_of(pc))[-1] == new
    assert pc.history.count() >= 2  # created under the old body, then moved


def test_the_document_chain_runs_from_52_to_the_ward_plans(built):
    nq52 = Document.objects.get(symbol="52-NQ/TW")
    assert nq52.issuer_unit.name == "Bộ Chính trị" and nq52.issue_date.isoformat() == "2019-09-27"
    assert nq52.visibility == "public" and nq52.term == "XII"
    hd116 = Document.objects.get(symbol="116-HD/BTGTW")
    assert list(hd116.implements.all()) == [nq52]
    letter = hd116.implemented_by.get()
    assert letter.type_code == "CV" and letter.issue_date.isoformat() == "2020-06-03"
    assert "Nghị quyết 52" in letter.text and "số hiệu minh họa" in letter.summary
    program = letter.implemented_by.get()
    assert program.type_code == "CTr" and set(program.implements.all()) == {letter, nq52}
    plans = program.implemented_by.all()
    assert plans.count() >= 3
    assert {p.type_code for p in plans} == {"KH"}
    assert {p.visibility for p in plans} == {"internal"}
    owners = {p.owner.name for p in plans}
    assert {"Đảng ủy phường Bến Thành", "Đảng ủy phường Tân Định"} <= owners


def test_the_personas_see_only_their_reach(built):
    leader = User.objects.get(username="lanhdao.thanhuy")
    ben_thanh = User.objects.get(username="canbo.benthanh")
    tan_dinh = User.objects.get(username="canbo.tandinh")
    plan_bt = Document.objects.get(owner__name="Đảng ủy phường Bến Thành")
    plan_td = Document.objects.get(owner__name="Đảng ủy phường Tân Định")
    with pytest.raises(Http404):
        get_document_for_user(tan_dinh, plan_bt.pk)
    with pytest.raises(Http404):
        get_document_for_user(ben_thanh, plan_td.pk)
    assert get_document_for_user(ben_thanh, plan_bt.pk) == plan_bt
    assert get_document_for_user(leader, plan_bt.pk) == plan_bt
    # Each ward reads the directives above it.
    program = Document.objects.get(type_code="CTr")
    assert documents_for_user(tan_dinh).filter(pk=program.pk).exists()
    assert not units_for_user(tan_dinh).filter(name="Đảng ủy phường Bến Thành").exists()
    assert units_for_user(leader).filter(code__startswith="DU").count() == 168
    # The City's inspection committee reads the City's plans and visits and acts for
    # oversight only, never for the City's tasks or documents.
    from trienkhai.accounts.scoping import can_act_for_unit
    from trienkhai.oversight.selectors import can_supervise, plans_for_user, visits_for_user

    inspector = User.objects.get(username="kiemtra.thanhuy")
    city = _unit("Đảng bộ Thành phố Hồ Chí Minh")
    assert plans_for_user(inspector).filter(unit=city).exists()
    assert visits_for_user(inspector).filter(plan__unit=city, created_by=inspector).exists()
    assert can_supervise(inspector, city) and not can_act_for_unit(inspector, city)
    assert not plans_for_user(tan_dinh).filter(unit=city).exists()


def test_the_logins_work_and_are_kept_only_for_the_owner(built, var_dir):
    path = var_dir / "demo-logins.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logins = demo.read_logins(path)
    assert [x.username for x in logins] == [
        "lanhdao.thanhuy",
        "canbo.benthanh",
        "canbo.tandinh",
        "kiemtra.thanhuy",  # the City's inspection committee (oversight)
        "admin",
        "bientap.thanhuy",  # the portal's communication officer (core/demo_portal.py)
    ]
    for login in logins:
        assert len(login.password) >= 16
        assert User.objects.get(username=login.username).check_password(login.password)
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="lanhdao.thanhuy").full_name == "Nguyễn Văn An"
    out = StringIO()
    call_command("demo_logins", stdout=out)
    printed = out.getvalue()
    assert "http://127.0.0.1:8000/" in printed
    assert all(x.password in printed for x in logins)


@pytest.mark.second_factor
def test_leaders_and_the_administrator_log_in_with_a_demo_code(built, client):
    from django.urls import reverse

    logins = {x.username: x for x in demo.read_logins()}
    leader = logins["lanhdao.thanhuy"]
    assert "demo_code lanhdao.thanhuy" in leader.description
    assert "demo_code" not in logins["canbo.benthanh"].description
    client.post(
        reverse("accounts:login"), {"username": leader.username, "password": leader.password}
    )
    assert client.get("/").status_code == 302  # the second factor first
    out = StringIO()
    call_command("demo_code", "lanhdao.thanhuy", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    response = client.post("/accounts/second-factor/", {"code": code, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    with pytest.raises(CommandError):
        call_command("demo_code", "canbo.benthanh", stdout=StringIO())


def test_it_runs_only_once(built):
    counts = (Unit.objects.count(), Document.objects.count(), User.objects.count())
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("demo", stdout=StringIO())
    assert (Unit.objects.count(), Document.objects.count(), User.objects.count()) == counts


def _headcounts() -> list[tuple]:
    rows = Unit.objects.values_list("code", "name", "party_members", "cadres", "union_members")
    return sorted((code or "", *rest) for code, *rest in rows)


def test_the_demo_is_the_same_every_time(var_dir):
    first = demo.build_demo()
    headcounts = _headcounts()
    from trienkhai.outreach.testing import purge_outreach
    from trienkhai.oversight.testing import purge_oversight
    from trienkhai.portal.models import Announcement, Article, Category
    from trienkhai.reports.maintenance import purge_all
    from trienkhai.tasks.models import Program, Task

    Article.objects.all().delete()
    Announcement.objects.all().delete()
    Category.objects.all().delete()
    purge_all()
    purge_outreach()  # sessions and visits protect their units and tasks from deletion
    purge_oversight()
    Task.objects.filter(parent_assignment__isnull=False).delete()
    Task.objects.all().delete()
    Program.objects.all().delete()
    Document.objects.all().delete()
    User.objects.all().delete()
    Unit.objects.all().delete()
    demo.build_demo()
    assert _headcounts() == headcounts
    assert first.units == Unit.objects.count()


def test_demo_logins_says_when_there_are_none(var_dir):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "No demo logins" in out.getvalue()


def test_the_letters_tasks_reach_the_wards_with_spread_statuses(built):
    from trienkhai.tasks import rollup
    from trienkhai.tasks.models import Assignment, Task
    from trienkhai.tasks.selectors import rollup as read_rollup

    assert Task.objects.filter(kind=Task.Kind.STUDY).count() == 1
    plan = Task.objects.get(output_type="KH", parent_assignment__isnull=True)
    assert plan.programs.filter(name__contains="đô thị thông minh").exists()
    # every ward party committee got the plan task
    assert plan.assignments.filter(unit__code__startswith="DU").count() == 168
    action_program = Task.objects.get(due_date="2020-06-30")
    assert action_program.assignments.get().unit.kind == Unit.Kind.CADRE_COMMITTEE
    counts = read_rollup(_unit("Đảng bộ Thành phố Hồ Chí Minh")).counts
    # a roll-out in motion: every status is present, and some units never updated
    for name in ("not_started", "in_progress", "done_on_time", "done_late", "overdue"):
        assert getattr(counts, name) > 0, name
    assert Assignment.objects.overdue().exclude(reason="").exists()
    assert Assignment.objects.overdue().filter(reason="", last_update__isnull=True).exists()
    # Bến Thành broke its plan down for its party cells
    assert Task.objects.filter(parent_assignment__unit__code="DU26743").exists()
    assert rollup.check() == []

"""Programs and projects: the list, registering one, and everything linked to it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from trienkhai.tasks.models import Program
from trienkhai.tasks.services import assignment_set_programs, program_create, task_create
from trienkhai.tasks.testing import build_cascade

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2020, 8, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def c(world):
    cascade = build_cascade(world)
    # Bến Thành links its study assignment, and Tân Định its own, to the City's project.
    assignment_set_programs(
        assignment=cascade.study_bt, by=world.ward_officer, programs=[cascade.program]
    )
    assignment_set_programs(
        assignment=cascade.study_td, by=world.other_ward_officer, programs=[cascade.program]
    )
    return cascade


def _body(response) -> str:
    return response.content.decode()


def test_the_list_counts_linked_tasks_and_assignments(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:programs"))
    [program] = list(response.context["page"])
    assert (program.n_tasks, program.n_assignments) == (1, 2)
    assert reverse("tasks:program_create") in _body(response)


def test_the_counts_are_scoped_to_the_reader(c, world, login):
    [program] = list(login(world.ward_officer).get(reverse("tasks:programs")).context["page"])
    assert (program.n_tasks, program.n_assignments) == (1, 1)


def test_the_list_searches_without_accents(c, world, login):
    client = login(world.ward_officer)
    assert list(client.get(reverse("tasks:programs"), {"q": "do thi thong minh"}).context["page"])
    assert not list(client.get(reverse("tasks:programs"), {"q": "nong thon"}).context["page"])


def test_a_wards_own_program_stays_in_the_ward(c, world, login):
    own = program_create(owner=world.ben_thanh, by=world.ward_officer, name="Phường văn minh")
    assert own in list(login(world.ward_officer).get(reverse("tasks:programs")).context["page"])
    other = login(world.other_ward_officer)
    assert own not in list(other.get(reverse("tasks:programs")).context["page"])
    assert other.get(reverse("tasks:program", args=[own.pk])).status_code == 404


def test_the_list_queries_do_not_grow(c, world, login, django_assert_max_num_queries):
    client = login(world.ward_officer)
    with django_assert_max_num_queries(12):
        client.get(reverse("tasks:programs"))
    for i in range(10):
        program_create(owner=world.city, by=None, name=f"Chương trình {i}")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("tasks:programs"))
    assert len(response.context["page"]) == 11


def test_registering_a_program(c, world, login):
    client = login(world.ward_officer)
    page = client.get(reverse("tasks:program_create"))
    assert list(page.context["form"].fields["owner"].queryset) == [world.ben_thanh]
    response = client.post(
        reverse("tasks:program_create"),
        {
            "owner": world.ben_thanh.pk,
            "name": "Phường văn minh đô thị",
            "start_year": "2020",
            "end_year": "2025",
            "document": c.chain.plan_bt.pk,
        },
    )
    program = Program.objects.get(name="Phường văn minh đô thị")
    assert response.url == reverse("tasks:program", args=[program.pk])
    assert program.owner == world.ben_thanh and program.document == c.chain.plan_bt


def test_a_wrong_program_form_keeps_what_was_typed(c, world, login):
    response = login(world.ward_officer).post(
        reverse("tasks:program_create"),
        {
            "owner": world.ben_thanh.pk,
            "name": "Phường văn minh",
            "start_year": "2025",
            "end_year": "2020",
        },
    )
    assert response.status_code == 200
    assert "end_year" in response.context["form"].errors
    assert "Phường văn minh" in _body(response)


def test_observers_and_other_units_cannot_register_for_a_unit_they_do_not_act_for(c, world, login):
    assert login(world.observer).get(reverse("tasks:program_create")).status_code == 404
    response = login(world.other_ward_officer).post(
        reverse("tasks:program_create"), {"owner": world.ben_thanh.pk, "name": "X"}
    )
    assert "owner" in response.context["form"].errors


def test_the_program_page_gathers_tasks_and_assignments_by_source_document(c, world, login):
    other = task_create(
        issuer=world.city,
        by=world.city_leader,
        title="Phát triển hạ tầng số",
        due_date=dt.date(2020, 12, 31),
        programs=[c.program],
    )
    response = login(world.city_leader).get(reverse("tasks:program", args=[c.program.pk]))
    assert response.status_code == 200
    tasks = list(response.context["tpage"])
    assert set(tasks) == {c.plan, other}
    assert tasks[0] == c.plan  # tasks with a source document come first, grouped by it
    assignments = list(response.context["apage"])
    assert set(assignments) == {c.study_bt, c.study_td}
    assert {a.live for a in assignments} == {"overdue"}
    body = _body(response)
    assert reverse("documents:detail", args=[c.chain.letter.pk]) in body
    assert "Without a source document" in body or "Không có văn bản" in body


def test_the_program_page_shows_only_what_the_reader_may_see(c, world, login):
    response = login(world.other_ward_officer).get(reverse("tasks:program", args=[c.program.pk]))
    assert list(response.context["apage"]) == [c.study_td]
    assert reverse("tasks:assignment", args=[c.study_bt.pk]) not in _body(response)
    plan = list(response.context["tpage"])[0]
    assert plan.counts.total == 1


def test_the_program_page_queries_are_bounded(c, world, login, django_assert_max_num_queries):
    client = login(world.ward_officer)
    with django_assert_max_num_queries(15):
        client.get(reverse("tasks:program", args=[c.program.pk]))

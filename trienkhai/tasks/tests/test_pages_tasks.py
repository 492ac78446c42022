"""Task pages: the list, creating and breaking down, targeting, the tree and the plan tracker."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from trienkhai.tasks.models import Assignment, Target, Task
from trienkhai.tasks.services import target_add, task_create
from trienkhai.tasks.testing import TODAY, build_cascade
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2020, 8, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def c(world):
    return build_cascade(world)


def _body(response) -> str:
    return response.content.decode()


def _more_tasks(world, n: int) -> None:
    for i in range(n):
        task = task_create(
            issuer=world.city, by=world.city_leader, title=f"Việc thêm {i}", due_date=TODAY
        )
        target_add(
            task=task, by=world.city_leader, mode="units", units=[world.ben_thanh, world.tan_dinh]
        )


# --- list ------------------------------------------------------------------------------------


def test_the_city_leader_sees_every_task_with_counts_by_status(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:list"))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert {c.plan, c.study, c.report, c.sub} <= set(page)
    plan = next(t for t in page if t == c.plan)
    counts = plan.counts
    assert (counts.total, counts.done_on_time, counts.within, counts.overdue) == (2, 1, 1, 0)
    study = next(t for t in page if t == c.study)
    assert study.counts.overdue == 2
    body = _body(response)
    assert reverse("tasks:create") in body
    assert "Annual" in body or "Hằng năm" in body  # the recurring report shows its rhythm


def test_a_ward_officer_sees_the_citys_tasks_and_its_own(c, world, login):
    page = list(login(world.ward_officer).get(reverse("tasks:list")).context["page"])
    assert set(page) == {c.plan, c.study, c.report, c.sub}
    report = next(t for t in page if t == c.report)
    assert report.counts.total == 0  # the City PC's assignment is not the ward's to count


def test_another_wards_officer_never_sees_the_breakdown_of_ben_thanh(c, world, login):
    client = login(world.other_ward_officer)
    response = client.get(reverse("tasks:list"))
    assert c.sub not in list(response.context["page"])
    assert "Chi bộ xây dựng kế hoạch" not in _body(response)
    assert list(client.get(reverse("tasks:list"), {"q": "chi bo"}).context["page"]) == []
    # the counts of a shared task cover only what the officer may see
    plan = next(t for t in response.context["page"] if t == c.plan)
    assert plan.counts.total == 1


def test_search_ignores_accents(c, world, login):
    client = login(world.city_leader)
    found = list(client.get(reverse("tasks:list"), {"q": "hoc tap quan triet"}).context["page"])
    assert found == [c.study]


def test_filters_by_kind_issuer_priority_and_document(c, world, login):
    client = login(world.city_leader)
    url = reverse("tasks:list")
    assert set(client.get(url, {"kind": "plan"}).context["page"]) == {c.plan, c.sub}
    assert list(client.get(url, {"starred": "on"}).context["page"]) == [c.plan]
    by_doc = set(client.get(url, {"document": c.chain.letter.pk}).context["page"])
    assert by_doc == {c.plan, c.study, c.report}
    ward = login(world.ward_officer)
    mine = list(ward.get(url, {"issuer": world.ben_thanh.pk}).context["page"])
    assert mine == [c.sub]


def test_sorting_is_an_allow_list(c, world, login):
    client = login(world.city_leader)
    url = reverse("tasks:list")
    titles = [t.title for t in client.get(url, {"sort": "title"}).context["page"]]
    assert titles == sorted(titles)
    due = [t for t in client.get(url, {"sort": "due"}).context["page"] if t.due_date]
    assert [t.due_date for t in due] == sorted(t.due_date for t in due)
    # anything else falls back to the default order instead of reaching the ORM
    response = client.get(url, {"sort": "created_by__password"})
    assert response.status_code == 200


def test_the_list_has_an_empty_state(world, login):
    body = _body(login(world.city_leader).get(reverse("tasks:list")))
    assert reverse("tasks:create") in body
    observer = login(world.observer).get(reverse("tasks:list"))
    assert reverse("tasks:create") not in _body(observer)  # observers only read


def test_the_list_queries_do_not_grow_with_tasks(c, world, login, django_assert_max_num_queries):
    client = login(world.city_leader)
    with django_assert_max_num_queries(10):
        client.get(reverse("tasks:list"))
    _more_tasks(world, 12)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tasks:list"))
    assert len(response.context["page"]) == 16


# --- create, edit, break down ----------------------------------------------------------------


def _task_data(**extra) -> dict:
    data = {
        "title": "Tổ chức hội nghị sơ kết 5 năm",
        "kind": "other",
        "due_date": "30/11/2020",
        "description": "",
        "clause": "Mục 4",
    }
    data.update(extra)
    return data


def test_creating_a_task_then_giving_it_by_rule(c, world, login):
    client = login(world.city_leader)
    response = client.post(
        reverse("tasks:create"),
        _task_data(issuer=world.city.pk, source_symbol="2156-CV/TU", is_starred="on"),
    )
    task = Task.objects.get(title="Tổ chức hội nghị sơ kết 5 năm")
    assert response.status_code == 302
    assert response.url == reverse("tasks:targets", args=[task.pk])
    assert task.source_document == c.chain.letter  # found from its symbol
    assert task.due_date == dt.date(2020, 11, 30) and task.is_starred
    assert task.issuer == world.city and task.created_by == world.city_leader

    response = client.post(
        reverse("tasks:targets", args=[task.pk]),
        {
            "mode": "rule",
            "r-under": world.city.pk,
            "r-kinds": [Unit.Kind.PARTY_COMMITTEE],
            "r-depth": "1",
            "r-role": "lead",
        },
        follow=True,
    )
    units = set(task.assignments.values_list("unit", flat=True))
    assert units == {world.ben_thanh.pk, world.tan_dinh.pk}
    body = _body(response)
    assert "2" in str(list(response.context["messages"])[-1])
    target = task.targets.get()
    assert target.mode == Target.Mode.RULE and target.depth == 1
    # the rule is described in words on the task page
    detail = _body(client.get(reverse("tasks:detail", args=[task.pk])))
    assert "Thành ủy" in detail and str(world.ben_thanh.name) in detail
    assert body


def test_a_new_unit_under_the_rule_gets_the_task(c, world, login):
    client = login(world.city_leader)
    client.post(reverse("tasks:create"), _task_data(issuer=world.city.pk))
    task = Task.objects.get(title="Tổ chức hội nghị sơ kết 5 năm")
    client.post(
        reverse("tasks:targets", args=[task.pk]),
        {
            "mode": "rule",
            "r-under": world.city.pk,
            "r-kinds": ["party_committee"],
            "r-role": "lead",
        },
    )
    unit_create(parent=world.city, name="Đảng ủy phường Đa Kao", kind=Unit.Kind.PARTY_COMMITTEE)
    assert task.assignments.filter(unit__name="Đảng ủy phường Đa Kao").exists()


def test_choosing_units_by_ticking_and_searching(c, world, login):
    client = login(world.city_leader)
    task = task_create(issuer=world.city, by=world.city_leader, title="Rà soát", due_date=TODAY)
    url = reverse("tasks:targets", args=[task.pk])
    page = client.get(url, {"q": "chi bo khu pho"})
    assert world.ben_thanh_cell in page.context["matches"]
    response = client.post(
        url,
        {"mode": "units", "u-units": [world.city_pc.pk, world.ben_thanh_cell.pk], "u-role": "lead"},
    )
    assert response.status_code == 302
    assert set(task.assignments.values_list("unit", flat=True)) == {
        world.city_pc.pk,
        world.ben_thanh_cell.pk,
    }


def test_the_unit_autocomplete_stays_in_the_issuers_subtree(c, world, login):
    client = login(world.ward_officer)
    url = reverse("tasks:target_units", args=[c.sub.pk])
    response = client.get(url, {"q": "phuong"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Tân Định" not in _body(response)  # a sibling ward is outside Bến Thành's subtree
    response = client.get(url, {"q": "khu pho"}, headers={"HX-Request": "true"})
    assert "Chi bộ khu phố 1" not in _body(response)  # already a checkbox as a direct child
    assert client.get(url, {"q": "x"}).status_code == 302  # without htmx: the full page


def test_targeting_refuses_units_outside_the_issuers_subtree(c, world, login):
    client = login(world.ward_officer)
    response = client.post(
        reverse("tasks:targets", args=[c.sub.pk]),
        {"mode": "units", "u-units": [world.tan_dinh.pk], "u-role": "lead"},
    )
    assert response.status_code == 200
    assert response.context["units_form"].errors
    assert not c.sub.assignments.filter(unit=world.tan_dinh).exists()


def test_a_rule_matching_nothing_is_explained_on_its_field(c, world, login):
    client = login(world.city_leader)
    task = task_create(issuer=world.city, by=world.city_leader, title="Rà soát", due_date=TODAY)
    response = client.post(
        reverse("tasks:targets", args=[task.pk]),
        {
            "mode": "rule",
            "r-under": world.city.pk,
            "r-kinds": ["fatherland_front"],
            "r-role": "lead",
        },
    )
    assert response.status_code == 200
    assert response.context["rule_form"].errors["kinds"]


def test_only_the_issuer_manages_targets_and_edits(c, world, login):
    client = login(world.ward_officer)
    assert client.get(reverse("tasks:targets", args=[c.plan.pk])).status_code == 404
    assert client.get(reverse("tasks:edit", args=[c.plan.pk])).status_code == 404
    assert login(world.observer).get(reverse("tasks:create")).status_code == 404


def test_the_form_redisplays_what_was_typed_with_the_error_on_its_field(c, world, login):
    client = login(world.city_leader)
    response = client.post(
        reverse("tasks:create"),
        _task_data(issuer=world.city.pk, recurrence="annual", recurrence_day="15", due_date=""),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "recurrence_month" in form.errors
    assert "Tổ chức hội nghị sơ kết 5 năm" in _body(response)
    response = client.post(
        reverse("tasks:create"), _task_data(issuer=world.city.pk, source_symbol="999-NQ/TW")
    )
    assert "source_symbol" in response.context["form"].errors


def test_a_task_cannot_cite_a_document_the_user_cannot_see(c, world, login):
    client = login(world.other_ward_officer)
    response = client.post(
        reverse("tasks:create"),
        _task_data(issuer=world.tan_dinh.pk, source_document=c.chain.plan_bt.pk),
    )
    assert response.status_code == 200
    assert "source_document" in response.context["form"].errors
    response = client.post(
        reverse("tasks:create"), _task_data(issuer=world.ben_thanh.pk)
    )  # nor issue for a unit it does not act for
    assert "issuer" in response.context["form"].errors


def test_breaking_down_an_assignment(c, world, login):
    client = login(world.ward_officer)
    url = f"{reverse('tasks:create')}?parent={c.plan_bt.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["due_date"].value() == c.plan_bt.due_date
    assert "issuer" not in page.context["form"].fields
    response = client.post(
        reverse("tasks:create"),
        _task_data(parent=c.plan_bt.pk, kind="plan", due_date="28/08/2020"),
    )
    task = Task.objects.get(title="Tổ chức hội nghị sơ kết 5 năm")
    assert response.url == reverse("tasks:targets", args=[task.pk])
    assert task.parent_assignment == c.plan_bt and task.issuer == world.ben_thanh
    # the page of the new task leads back up the cascade
    body = _body(client.get(reverse("tasks:detail", args=[task.pk])))
    assert reverse("tasks:assignment", args=[c.plan_bt.pk]) in body
    assert reverse("tasks:detail", args=[c.plan.pk]) in body


def test_a_breakdown_after_the_parent_deadline_is_refused(c, world, login):
    response = login(world.ward_officer).post(
        reverse("tasks:create"), _task_data(parent=c.plan_bt.pk, due_date="15/09/2020")
    )
    assert response.status_code == 200
    assert "due_date" in response.context["form"].errors


def test_only_the_assignee_can_break_an_assignment_down(c, world, login):
    url = f"{reverse('tasks:create')}?parent={c.plan_bt.pk}"
    assert login(world.other_ward_officer).get(url).status_code == 404
    assert login(world.city_leader).get(url).status_code == 404


def test_editing_a_task_moves_open_deadlines(c, world, login):
    client = login(world.city_leader)
    url = reverse("tasks:edit", args=[c.plan.pk])
    page = client.get(url)
    assert page.context["form"]["title"].value() == c.plan.title
    data = {
        "title": c.plan.title,
        "kind": "plan",
        "due_date": "15/09/2020",
        "source_document": c.chain.letter.pk,
        "output_type": "KH",
        "expected_output": c.plan.expected_output,
        "is_starred": "on",
        "is_public": "on",
        "programs": [c.program.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302
    c.plan_bt.refresh_from_db()
    assert c.plan_bt.due_date == dt.date(2020, 9, 15)
    history = client.get(reverse("tasks:detail", args=[c.plan.pk])).context["history"]
    assert any("15/09/2020" in ch.new for e in history for ch in e.changes)


# --- detail ----------------------------------------------------------------------------------


def test_the_task_page_shows_facts_targets_assignments_and_history(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:detail", args=[c.plan.pk]))
    body = _body(response)
    assert reverse("documents:detail", args=[c.chain.letter.pk]) in body
    assert reverse("tasks:program", args=[c.program.pk]) in body
    assert reverse("tasks:tree", args=[c.plan.pk]) in body
    assert reverse("tasks:plans", args=[c.plan.pk]) in body
    assert reverse("tasks:targets", args=[c.plan.pk]) in body  # "Add units"
    rows = {a.unit: a for a in response.context["page"]}
    assert rows[world.tan_dinh].live == Assignment.Bucket.DONE_ON_TIME
    assert rows[world.ben_thanh].live == Assignment.Bucket.IN_PROGRESS
    assert response.context["history"]
    assert response.context["targets"][0].assignments == 2


def test_overdue_rows_say_by_how_many_days(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:detail", args=[c.study.pk]))
    rows = list(response.context["page"])
    assert {a.live for a in rows} == {Assignment.Bucket.OVERDUE}
    assert {a.late for a in rows} == {25}


def test_assignments_filter_by_status_and_sort(c, world, login):
    client = login(world.city_leader)
    url = reverse("tasks:detail", args=[c.plan.pk])
    done = list(client.get(url, {"status": "done_on_time"}).context["page"])
    assert [a.unit for a in done] == [world.tan_dinh]
    within = list(client.get(url, {"status": "within"}).context["page"])
    assert [a.unit for a in within] == [world.ben_thanh]
    by_status = list(client.get(url, {"sort": "status"}).context["page"])
    assert [a.unit for a in by_status] == [world.ben_thanh, world.tan_dinh]
    assert client.get(url, {"sort": "unit__name; drop", "status": "x"}).status_code == 200


def test_a_ward_officer_reads_the_task_but_only_its_own_row(c, world, login):
    response = login(world.other_ward_officer).get(reverse("tasks:detail", args=[c.plan.pk]))
    assert [a.unit for a in response.context["page"]] == [world.tan_dinh]
    assert not response.context["can_manage"]
    assert reverse("tasks:targets", args=[c.plan.pk]) not in _body(response)


def test_a_sibling_ward_gets_404_on_the_breakdown(c, world, login):
    client = login(world.other_ward_officer)
    for name in ("detail", "tree", "plans"):
        assert client.get(reverse(f"tasks:{name}", args=[c.sub.pk])).status_code == 404


def test_the_task_page_queries_are_bounded(c, world, login, django_assert_max_num_queries):
    client = login(world.city_leader)
    _more_tasks(world, 3)
    with django_assert_max_num_queries(25):
        client.get(reverse("tasks:detail", args=[c.plan.pk]))


# --- tree ------------------------------------------------------------------------------------


def test_the_tree_shows_each_unit_and_which_rows_have_a_breakdown(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:tree", args=[c.plan.pk]))
    rows = {a.unit: a for a in response.context["level"].rows}
    assert rows[world.ben_thanh].has_subtasks and not rows[world.tan_dinh].has_subtasks
    assert reverse("tasks:tree_children", args=[c.plan_bt.pk]) in _body(response)


def test_a_breakdown_opens_in_place_and_as_a_page(c, world, login):
    client = login(world.city_leader)
    url = reverse("tasks:tree_children", args=[c.plan_bt.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in _body(fragment)
    assert "Chi bộ khu phố 1" in _body(fragment)
    level = fragment.context["levels"][0]
    assert level.task == c.sub and [a.unit for a in level.rows] == [world.ben_thanh_cell]
    page = client.get(url)
    assert "<html" in _body(page) and "Chi bộ khu phố 1" in _body(page)


def test_long_levels_are_paginated(c, world, login):
    parent = world.ben_thanh_cell
    for i in range(55):
        unit_create(parent=parent, name=f"Tổ đảng {i:02d}", kind=Unit.Kind.GRASSROOTS)
    task = task_create(issuer=parent, by=None, title="Học tập", due_date=TODAY)
    target_add(task=task, by=None, mode="rule", under=parent)
    client = login(world.ward_officer)
    response = client.get(reverse("tasks:tree", args=[task.pk]))
    level = response.context["level"]
    assert len(level.rows) == 50 and level.total == 55 and level.more_url
    more = client.get(level.more_url, headers={"HX-Request": "true"})
    assert len(more.context["level"].rows) == 5 and not more.context["level"].more_url


def test_the_tree_queries_do_not_grow_with_rows(c, world, login, django_assert_max_num_queries):
    client = login(world.city_leader)
    with django_assert_max_num_queries(12):
        client.get(reverse("tasks:tree", args=[c.plan.pk]))
    with django_assert_max_num_queries(14):
        client.get(reverse("tasks:tree_children", args=[c.plan_bt.pk]), headers={"HX-Request": "1"})


# --- plan tracker ----------------------------------------------------------------------------


def test_the_plan_tracker_has_one_row_per_unit(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:plans", args=[c.plan.pk]))
    rows = {r.assignment.unit: r for r in response.context["rows"]}
    assert rows[world.tan_dinh].state == "on_time"
    assert rows[world.tan_dinh].document == c.chain.plan_td
    assert rows[world.ben_thanh].state == "not_yet" and rows[world.ben_thanh].document is None
    counts = response.context["counts"]
    assert (counts.total, counts.done_on_time, counts.within, counts.overdue) == (2, 1, 1, 0)
    assert "15-KH/ĐU" in _body(response) and "02/08/2020" in _body(response)


def test_the_plan_tracker_counts_days_late(c, world, login):
    with time_machine.travel(dt.datetime(2020, 9, 10, 10), tick=False):
        response = login(world.city_leader).get(reverse("tasks:plans", args=[c.plan.pk]))
    rows = {r.assignment.unit: r for r in response.context["rows"]}
    assert rows[world.ben_thanh].days_late == 10
    assert response.context["counts"].overdue == 1


def test_the_plan_tracker_downloads_as_xlsx(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:plans_export", args=[c.plan.pk]))
    assert response.status_code == 200
    assert f"plans-task-{c.plan.pk}.xlsx" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    data = [r for r in rows if isinstance(r[0], int)]
    assert len(data) == 2
    td = next(r for r in data if r[1] == world.tan_dinh.name)
    assert td[3] == "15-KH/ĐU" and td[4].date() == dt.date(2020, 8, 2)


def test_a_formula_like_unit_name_is_exported_as_text(c, world, login):
    world.tan_dinh.name = '=HYPERLINK("http://x.example","Tân Định")'
    world.tan_dinh.save()
    response = login(world.city_leader).get(reverse("tasks:plans_export", args=[c.plan.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [r[1] for r in sheet.iter_rows() if isinstance(r[0].value, int)]
    td = next(cell for cell in cells if cell.value == world.tan_dinh.name)
    assert td.data_type == "s"  # text, not a formula


def test_the_plan_export_is_scoped(c, world, login):
    response = login(world.other_ward_officer).get(reverse("tasks:plans_export", args=[c.plan.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [r[1] for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert names == [world.tan_dinh.name]


def test_only_plan_tasks_have_a_tracker(c, world, login):
    client = login(world.city_leader)
    assert client.get(reverse("tasks:plans", args=[c.study.pk])).status_code == 404
    assert client.get(reverse("tasks:plans_export", args=[c.study.pk])).status_code == 404


def test_a_deadline_as_written_fills_the_due_date_or_the_recurrence(c, world, login):
    client = login(world.city_leader)
    data = _task_data(issuer=world.city.pk, due_date="", source_symbol="2156-CV/TU")
    data["deadline_text"] = "Thời gian trình Ban Thường vụ Thành ủy trong quý II năm 2020"
    response = client.post(reverse("tasks:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Task.objects.get(title=data["title"]).due_date == dt.date(2020, 6, 30)

    data.update(title="Báo cáo hằng năm", deadline_text="định kỳ hằng năm, trước ngày 15/12")
    response = client.post(reverse("tasks:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get(title="Báo cáo hằng năm")
    assert (task.recurrence, task.recurrence_day, task.recurrence_month) == ("annual", 15, 12)


def test_an_unreadable_deadline_is_said_on_its_field_and_kept(c, world, login):
    client = login(world.city_leader)
    data = _task_data(issuer=world.city.pk, due_date="")
    data["deadline_text"] = "khi có điều kiện"
    response = client.post(reverse("tasks:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["deadline_text"]
    assert "khi có điều kiện" in _body(response)

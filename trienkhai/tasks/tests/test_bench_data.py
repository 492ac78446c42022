"""The national benchmark's data generator makes data the cascade itself could have made."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.tasks_bench import build_national
from trienkhai.tasks import rollup
from trienkhai.tasks.models import Assignment, ProgressUpdate, Task, bucket_for
from trienkhai.tasks.selectors import rollup as read_rollup
from trienkhai.units.models import Unit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 14)


@pytest.fixture
def national():
    return build_national(units=500, assignments=5_000, today=TODAY)


def test_the_tree_has_a_root_provinces_communes_and_grassroots(national):
    assert Unit.objects.count() == national.units == 500
    root = Unit.objects.get(pk=national.root_id)
    assert (root.code, root.depth) == ("VN", 1)
    assert Unit.objects.filter(depth=2).count() == len(national.province_ids) >= 2
    assert Unit.objects.filter(depth=3, code__startswith="W").count() == len(national.commune_ids)
    assert Unit.objects.get(pk=national.big_id).code == "P79"
    assert national.big_grassroots > 0
    assert Unit.objects.filter(depth=4, kind=Unit.Kind.GRASSROOTS).count() > 400
    assert Unit.objects.find_problems() == ([], [], [], [], [])  # paths, depths and numchild agree


def test_search_text_is_what_the_unit_would_compute(national):
    for unit in Unit.objects.order_by("?")[:50]:
        stored = unit.search_text
        unit.refresh_search_text()
        assert unit.search_text == stored


def test_about_the_wanted_number_of_assignments_are_made(national):
    assert Assignment.objects.count() == national.assignments
    assert 4_500 <= national.assignments <= 5_600


def test_counters_match_a_recount_of_the_facts(national):
    assert rollup.check() == []


def test_every_stored_bucket_is_the_bucket_of_its_state_on_the_day(national):
    rows = Assignment.objects.values_list("state", "due_date", "completed_on", "bucket")
    assert all(bucket_for(s, due, done, TODAY) == b for s, due, done, b in rows)
    buckets = set(Assignment.objects.values_list("bucket", flat=True).distinct())
    assert buckets == set(Assignment.Bucket.values)


def test_done_rows_have_a_completion_date_and_recent_updates_a_progress_update(national):
    assert not Assignment.objects.filter(state="done", completed_on__isnull=True).exists()
    assert not Assignment.objects.filter(state="done", progress__lt=100).exists()
    since = dt.datetime.combine(TODAY - dt.timedelta(days=365), dt.time(), tzinfo=dt.UTC)
    recent = Assignment.objects.filter(last_update__gte=since)
    assert ProgressUpdate.objects.count() == recent.count() == national.updates > 0
    update = ProgressUpdate.objects.select_related("assignment").first()
    assert update.created == update.assignment.last_update
    assert Assignment.objects.filter(bucket="done_late").exclude(reason="").exists()


def test_due_dates_span_the_last_years_and_some_are_still_ahead(national):
    dues = Assignment.objects.exclude(due_date=None).values_list("due_date", flat=True)
    assert min(dues) < dt.date(2020, 12, 31)
    assert max(dues) > TODAY


def test_subtasks_break_down_an_assignment_of_their_issuer(national):
    subtasks = Task.objects.filter(parent_assignment__isnull=False).select_related(
        "parent_assignment"
    )
    assert subtasks.exists()
    assert all(t.parent_assignment.unit_id == t.issuer_id for t in subtasks)
    assert Task.objects.filter(recurrence="quarterly").count() == 1


def test_new_ids_follow_the_bulk_rows(national):
    task = Task.objects.create(title="x", issuer_id=national.root_id)
    a = Assignment.objects.create(task=task, unit_id=national.big_id, report_to_id=national.root_id)
    assert a.pk > national.assignments


def test_the_root_roll_up_counts_every_assignment(national):
    root = Unit.objects.get(pk=national.root_id)
    counts = read_rollup(root, today=TODAY).counts
    assert counts.total == national.assignments
    assert counts.overdue == Assignment.objects.filter(bucket="overdue").count() > 0


def test_every_national_figure_can_be_measured_and_the_cascade_keeps_counters_true(national):
    from bench import tasks_bench

    figures = tasks_bench.dashboard_figures(national)
    assert set(figures) == {"dashboard_root_p95_sqlite_ms", "dashboard_queries"} or set(
        figures
    ) == {"dashboard_root_p95_ms", "dashboard_province_p95_ms", "dashboard_queries"}
    assert tasks_bench.reminders_figure(national)["reminders_1m_s"] >= 0
    assert tasks_bench.cascade_figure(national, runs=1)["cascade_10k_units_s"] > 0
    assert rollup.check() == []


def test_every_foreign_key_of_the_bulk_rows_points_at_a_row(national):
    # on PostgreSQL the load skips the per-row foreign-key triggers: check every key here
    from django.db.models import Exists, OuterRef

    from trienkhai.accounts.models import Membership, User
    from trienkhai.tasks.models import Target, UnitMonthRollup, UnitRollup, UnitTaskRollup

    models = (Assignment, ProgressUpdate, Task, Target, Membership, User)
    for model in (*models, UnitRollup, UnitTaskRollup, UnitMonthRollup):
        for f in model._meta.concrete_fields:
            if f.is_relation:
                target = f.related_model.objects.filter(pk=OuterRef(f.attname))
                dangling = model.objects.exclude(**{f.attname: None}).filter(~Exists(target))
                assert not dangling.exists(), (model.__name__, f.name)

"""The dashboard's arithmetic: rankings, ordering, bars, chart scale and the counted paginator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from trienkhai.tasks.dashboard import (
    RANKING_SIZE,
    CountedPaginator,
    Kit,
    Numbers,
    Row,
    _nice_step,
    bar_for,
    pct,
    ranking,
    sort_rows,
    timeline_chart,
)
from trienkhai.tasks.selectors import Counts, RollupRow
from trienkhai.units.models import Unit


def row(name: str, pk: int, **counts) -> RollupRow:
    return RollupRow(Unit(pk=pk, name=name, search_text=name.lower()), Counts(**counts))


def test_ranking_puts_ties_in_name_order_and_shares_the_rank():
    rows = [
        row("Xã C", 1, done_on_time=1, overdue=1),
        row("Xã A", 2, done_on_time=1, overdue=1),
        row("Xã B", 3, done_on_time=2),
        row("Xã D", 4),  # no assignments: left out
        row("Xã E", 5, not_started=3),  # nothing judged yet: no on-time rate
    ]
    r = ranking(rows, "on_time_rate", "On time")
    assert [(e.rank, e.unit.name) for e in r.best] == [(1, "Xã B"), (2, "Xã A"), (2, "Xã C")]
    assert r.worst == [] and r.size == 3
    u = ranking(rows, "update_rate", "Updates")
    assert [e.unit.name for e in u.best] == ["Xã A", "Xã B", "Xã C", "Xã E"]


def test_ranking_up_to_twenty_units_lists_them_all_best_first():
    rows = [row(f"Phường {i:03d}", i, done_on_time=i, overdue=20 - i) for i in range(1, 21)]
    r = ranking(rows, "on_time_rate", "On time")
    assert len(r.best) == 20 and r.worst == []
    assert r.best[0].unit.name == "Phường 020" and r.best[-1].unit.name == "Phường 001"


def test_ranking_many_units_gives_the_best_and_the_lowest_ten():
    rows = [row(f"Phường {i:03d}", i, done_on_time=i, overdue=100 - i) for i in range(1, 40)]
    r = ranking(rows, "on_time_rate", "On time")
    assert len(r.best) == len(r.worst) == RANKING_SIZE
    assert r.best[0].unit.name == "Phường 039" and r.best[0].rank == 1
    assert r.worst[0].unit.name == "Phường 001" and r.worst[0].rank == 39
    assert r.size == 39


def test_sorting_keeps_units_without_a_rate_last_in_both_directions():
    rows = [
        row("B", 1, done_on_time=1),
        row("A", 2, overdue=1),
        row("C", 3, not_started=1),
        row("D", 4),
    ]
    up = [r.unit.name for r in sort_rows(rows, "on_time_rate")]
    down = [r.unit.name for r in sort_rows(rows, "-on_time_rate")]
    assert up == ["A", "B", "C", "D"]
    assert down == ["B", "A", "C", "D"]
    assert [r.unit.name for r in sort_rows(rows, "-name")] == ["D", "C", "B", "A"]
    assert [r.unit.name for r in sort_rows(rows, "-total")] == ["A", "B", "C", "D"]


def test_percentages_are_rounded_and_localized():
    with translation.override("vi"):
        assert pct(66.666) == "66,7\u00a0%"
        assert pct(25.0) == "25\u00a0%"
        assert pct(None) == "—"


def test_a_bar_splits_100_percent_between_the_statuses():
    bar = bar_for(Counts(done_on_time=1, in_progress=1, overdue=2))
    assert [s.bucket for s in bar.segments] == ["done_on_time", "in_progress", "overdue"]
    assert [s.x for s in bar.segments] == ["0.000", "25.000", "50.000"]
    assert [s.width for s in bar.segments] == ["25.000", "25.000", "50.000"]
    assert bar_for(Counts()).empty


def test_the_chart_scale_uses_round_steps():
    assert [_nice_step(v) for v in (0, 0.75, 3, 12.5, 43.25, 250)] == [1, 1, 5, 20, 50, 500]
    months = [
        {"month": dt.date(2020, m, 1), "due": m, "done_on_time": 0, "done_late": 0}
        for m in range(1, 13)
    ]
    chart = timeline_chart(months)
    assert [t["value"] for t in chart["ticks"]] == [0, 5, 10, 15, 20]
    assert not chart["empty"]


@pytest.mark.django_db
def test_the_counted_paginator_trusts_the_count_it_is_given(django_assert_num_queries):
    from trienkhai.tasks.models import Assignment

    paginator = CountedPaginator(Assignment.objects.order_by("pk"), 20, count=45)
    with django_assert_num_queries(1):
        page = paginator.get_page("3")
        assert page.number == 3 and paginator.num_pages == 3
        assert list(page.object_list) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_fast_number_formats_write_what_the_template_filters_wrote(lang):
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils.formats import number_format

    with translation.override(lang):
        nums = Numbers()
        for n in (0, 7, 999, 1000, 40724, 1234567, -1234):
            assert nums.grouped(n) == intcomma(n)
        for v in (0, 0.04, 0.05, 12.5, 16.6667, 66.65, 99.96, 100):
            r = round(v, 1)
            assert nums.pct(v) == f"{number_format(r, decimal_pos=1 if r % 1 else 0)}\u00a0%"


def test_a_row_written_in_python_escapes_names_and_flags_dissolved_units():
    unit = Unit(pk=7, name='Xã <A> & "B"', numchild=2, dissolved_on=dt.date(2020, 1, 1))
    kit = Kit("?kind=study", "?kind=study&sort=-total")
    html = kit.child_row(Row(unit, Counts(done_on_time=1, overdue=1)))
    assert "Xã &lt;A&gt; &amp; &quot;B&quot;" in html and "<A>" not in html
    assert 'class="badge badge-dissolved"' in html
    children = reverse("tasks:dashboard_children", args=[7])
    assert f'hx-get="{children}?kind=study&amp;sort=-total"' in html
    assert f'href="{reverse("tasks:dashboard_unit", args=[7])}?kind=study"' in html
    assert html.count("<tbody") == 1 and 'role="img" aria-label=' in html

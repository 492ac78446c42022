"""The leader's dashboard: the numbers it shows, who may open it, drill-down and filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext as _

from trienkhai.tasks.testing import TODAY, build_cascade

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cascade(world):
    return build_cascade(world)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2020, 8, 25, 9, 0), tick=False):
        yield


def dashboard_url(unit) -> str:
    return reverse("tasks:dashboard_unit", args=[unit.pk])


def kpis(html: str) -> dict[str, str]:
    """The headline figures, by the class of their card."""
    found = re.findall(r'class="kpi kpi-(\w+)[^"]*"><span class="kpi-value">([^<]+)<', html)
    return {name: value for name, value in found if name != "rate"} | {
        "rates": [v for n, v in found if n == "rate"]
    }


def child_rows(html: str) -> dict[str, list[str]]:
    """Each child row's unit name and numeric cells, in order."""
    rows = {}
    for block in re.findall(r'<tr class="dash-row[^"]*">(.*?)</tr>', html, flags=re.S):
        name = re.search(r'<a href="/tasks/dashboard/\d+/[^"]*">([^<]+)</a>', block)
        if name is None:
            continue
        rows[name.group(1)] = re.findall(r'<td class="num[^"]*">([^<]*)</td>', block)
    return rows


def test_the_city_leader_sees_the_cascade_in_numbers(world, cascade, login):
    r = login(world.city_leader).get(reverse("tasks:dashboard"))
    assert r.status_code == 200
    html = r.content.decode()
    figures = kpis(html)
    assert figures["total"] == "6"
    assert figures["done_on_time"] == "1"
    assert figures["done_late"] == "0"
    assert figures["within"] == "2"  # Bến Thành's plan in progress, the annual report
    assert figures["overdue"] == "3"  # both study assignments and the party cell's plan
    assert figures["rates"] == ["16,7\u00a0%", "50\u00a0%"]  # 1 of 6 on time; 3 of 6 updated
    assert "25/08/2020" in html


def test_each_child_row_counts_its_whole_subtree(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).content.decode()
    rows = child_rows(html)
    # total, on time, late, within the deadline, overdue, on-time rate, update rate
    assert rows[world.ben_thanh.name] == ["3", "0", "0", "1", "2", "0\u00a0%", "66,7\u00a0%"]
    assert rows[world.tan_dinh.name] == ["2", "1", "0", "0", "1", "50\u00a0%", "50\u00a0%"]
    assert rows[world.city_pc.name] == ["1", "0", "0", "1", "0", "—", "0\u00a0%"]


def test_a_unit_that_never_updated_is_flagged(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).content.decode()
    flagged = re.findall(r'<tr class="dash-row dash-stale">(.*?)</tr>', html, flags=re.S)
    assert len(flagged) == 1
    assert world.city_pc.name in flagged[0]
    assert _("not updated yet") in flagged[0]


def test_the_units_that_never_updated_are_counted_above_the_table(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city), {"kind": "report"}).text
    note = html.split('class="dash-stale-note"')[1].split("</p>")[0]
    assert f'href="{dashboard_url(world.city)}?kind=report&amp;sort=update_rate#units"' in note


def test_the_status_bars_have_a_text_alternative(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).content.decode()
    overall = re.search(r'<svg class="dash-bar dash-bar-big"[^>]*aria-label="([^"]+)"', html)
    assert overall is not None
    assert f"{_('Overdue')}: 3 (50\u00a0%)" in overall.group(1)
    assert html.count('class="dash-legend"') >= 1


def test_breadcrumbs_list_only_the_ancestors_the_user_may_read(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.ben_thanh_cell)).content.decode()
    crumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert f'href="{dashboard_url(world.city)}"' in crumbs
    assert f'href="{dashboard_url(world.ben_thanh)}"' in crumbs
    officer = login(world.ward_officer).get(dashboard_url(world.ben_thanh_cell)).content.decode()
    crumbs = officer.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert f'href="{dashboard_url(world.city)}"' not in crumbs
    assert f'href="{dashboard_url(world.ben_thanh)}"' in crumbs


def test_the_overdue_list_gives_days_and_reasons(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).content.decode()
    section = html.split('id="overdue"')[1].split("</section>")[0]
    assert section.count("<tr>") == 4  # header + 3 rows
    assert f'href="{reverse("tasks:assignment", args=[cascade.study_bt.pk])}"' in section
    assert "Chờ tài liệu hướng dẫn của Ban Tuyên giáo" in section
    assert section.count(_("no reason given")) == 2
    assert "31/07/2020" in section and ">25</td>" in section and ">5</td>" in section


def test_the_timeline_has_a_table_fallback(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).content.decode()
    section = html.split('id="timeline"')[1].split("</section>")[0]
    assert "<svg" in section and "<details" in section
    august = re.search(r"<th scope=\"row\">08/2020</th>(.*?)</tr>", section).group(1)
    assert re.findall(r">(\d+)</td>", august) == ["3", "1", "0"]


def test_rankings_leave_out_units_without_a_rate(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).content.decode()
    section = html.split('id="rankings"')[1].split("</section>\n</div>")[0]
    on_time, update = section.split('id="ranking-2"')
    # The People's Committee has nothing done or late yet: no on-time rate to rank.
    assert world.tan_dinh.name in on_time and world.city_pc.short_name not in on_time
    assert on_time.index(world.tan_dinh.name) < on_time.index(world.ben_thanh.name)
    assert update.index(world.ben_thanh.name) < update.index(world.tan_dinh.name)
    assert world.city_pc.short_name in update


# --- drill-down -------------------------------------------------------------------------------


def test_drilling_down_returns_the_child_rows_as_a_nested_row(world, cascade, login):
    url = reverse("tasks:dashboard_children", args=[world.ben_thanh.pk])
    r = login(world.city_leader).get(url, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert html.startswith('<tr class="nested">') and "<html" not in html
    rows = child_rows(html)
    assert rows[world.ben_thanh_cell.name] == ["1", "0", "0", "0", "1", "0\u00a0%", "0\u00a0%"]
    # Bến Thành's own assignments (plan and study) appear so that the figures add up.
    assert 'class="dash-row dash-own"' in html


def test_the_dashboard_offers_drill_down_where_there_are_children(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).content.decode()
    children = reverse("tasks:dashboard_children", args=[world.ben_thanh.pk])
    assert f'hx-get="{children}"' in html and f'href="{children}"' in html
    assert reverse("tasks:dashboard_children", args=[world.tan_dinh.pk]) not in html


def test_drill_down_works_without_javascript(world, cascade, login):
    url = reverse("tasks:dashboard_children", args=[world.ben_thanh.pk])
    r = login(world.city_leader).get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>" in html and world.ben_thanh_cell.name in html
    assert f'href="{dashboard_url(world.ben_thanh)}"' in html


def test_a_child_dashboard_counts_only_its_subtree(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.ben_thanh)).content.decode()
    assert kpis(html)["total"] == "3"
    assert kpis(html)["overdue"] == "2"


# --- who may see what -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["city", "ben_thanh", "ben_thanh_cell"])
def test_a_tan_dinh_officer_cannot_open_other_units_dashboards(world, cascade, login, name):
    client = login(world.other_ward_officer)
    unit = getattr(world, name)
    for route in ("dashboard_unit", "dashboard_children", "dashboard_export"):
        r = client.get(reverse(f"tasks:{route}", args=[unit.pk]))
        assert r.status_code == 404, route
    assert (
        client.get(reverse("tasks:dashboard_children", args=[unit.pk]), **HTMX).status_code == 404
    )


def test_a_tan_dinh_officer_sees_only_her_wards_assignments(world, cascade, login):
    client = login(world.other_ward_officer)
    html = client.get(reverse("tasks:dashboard")).content.decode()
    figures = kpis(html)
    assert figures["total"] == "2" and figures["done_on_time"] == "1" and figures["overdue"] == "1"
    assert "Bến Thành" not in html
    assert cascade.sub.title not in html  # Bến Thành's own breakdown is not hers to see


def test_an_observer_can_read_the_dashboard(world, cascade, login):
    client = login(world.observer)
    r = client.get(reverse("tasks:dashboard"))
    assert r.status_code == 200 and kpis(r.content.decode())["total"] == "6"
    assert client.get(dashboard_url(world.ben_thanh)).status_code == 200


def test_an_administrator_lands_on_the_root(world, cascade, login):
    r = login(world.admin).get(reverse("tasks:dashboard"))
    assert r.status_code == 200 and kpis(r.content.decode())["total"] == "6"


@pytest.mark.parametrize("route", ["dashboard", "unit", "children", "export"])
def test_anonymous_visitors_are_sent_to_login(client, world, route):
    url = (
        reverse("tasks:dashboard")
        if route == "dashboard"
        else reverse(f"tasks:dashboard_{route}", args=[world.city.pk])
    )
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


def test_someone_without_a_role_gets_an_explanation(db, client):
    from trienkhai.core.testing import make_user

    client.force_login(make_user("nobody"))
    r = client.get(reverse("tasks:dashboard"))
    assert r.status_code == 200
    assert 'class="dash-kpis"' not in r.content.decode()


def test_writes_are_refused(world, cascade, login):
    r = login(world.city_leader).post(dashboard_url(world.city))
    assert r.status_code == 405


# --- filters ----------------------------------------------------------------------------------


def test_filtering_by_kind_counts_only_those_tasks(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city), {"kind": "study"}).text
    assert kpis(html)["total"] == "2" and kpis(html)["overdue"] == "2"
    assert '<option value="study" selected>' in html
    # links keep the filter: drill-down, child dashboards, export
    assert f'href="{dashboard_url(world.ben_thanh)}?kind=study"' in html
    children = reverse("tasks:dashboard_children", args=[world.ben_thanh.pk])
    assert f'hx-get="{children}?kind=study"' in html
    export = reverse("tasks:dashboard_export", args=[world.city.pk])
    assert f'href="{export}?kind=study"' in html


def test_filtering_by_task_document_and_priority(world, cascade, login):
    client = login(world.city_leader)
    url = dashboard_url(world.city)
    html = client.get(url, {"task": cascade.plan.pk}).text
    assert kpis(html)["total"] == "2" and kpis(html)["done_on_time"] == "1"
    assert f'<option value="{cascade.plan.pk}" selected>' in html
    assert kpis(client.get(url, {"starred": "1"}).text)["total"] == "2"
    html = client.get(url, {"document": cascade.chain.letter.pk}).text
    assert kpis(html)["total"] == "5"  # everything but Bến Thành's own breakdown
    assert f'<option value="{cascade.chain.letter.pk}" selected>' in html
    html = client.get(url, {"kind": "study", "task": cascade.plan.pk}).text
    assert "dash-kpis" not in html  # nothing matches both


def test_filters_also_apply_to_the_drill_down_and_the_overdue_list(world, cascade, login):
    client = login(world.city_leader)
    url = reverse("tasks:dashboard_children", args=[world.ben_thanh.pk])
    html = client.get(url, {"kind": "plan"}, **HTMX).text
    assert child_rows(html)[world.ben_thanh_cell.name][:5] == ["1", "0", "0", "0", "1"]
    html = client.get(dashboard_url(world.city), {"kind": "study"}).text
    section = html.split('id="overdue"')[1].split("</section>")[0]
    assert cascade.sub.title not in section and section.count("<tr>") == 3


@pytest.mark.parametrize(
    "params",
    [
        {"task": "abc"},
        {"task": "99999999"},
        {"task": "9" * 10_000},
        {"task": "-1"},
        {"document": "1.5"},
        {"document": "99999"},
        {"kind": "password"},
        {"starred": "yes"},
        {"sort": "created_by__password"},
        {"sort": "--name"},
        {"page": "abc", "opage": "-3"},
        {"page": "9999", "opage": "9999"},
        {"_connector": "OR", "kind__in": "study"},
    ],
)
def test_a_bad_filter_value_is_ignored(world, cascade, login, params):
    r = login(world.city_leader).get(dashboard_url(world.city), params)
    assert r.status_code == 200
    assert kpis(r.content.decode())["total"] == "6"


def test_a_task_out_of_reach_is_not_a_filter(world, cascade, login):
    client = login(world.other_ward_officer)
    r = client.get(reverse("tasks:dashboard"), {"task": cascade.sub.pk})
    assert r.status_code == 200
    html = r.content.decode()
    assert kpis(html)["total"] == "2" and cascade.sub.title not in html
    assert 'class="msg-warning"' in html


def test_sorting_follows_the_allow_list(world, cascade, login):
    client = login(world.city_leader)
    names = list(child_rows(client.get(dashboard_url(world.city), {"sort": "-overdue"}).text))
    assert names == [world.ben_thanh.name, world.tan_dinh.name, world.city_pc.name]
    names = list(child_rows(client.get(dashboard_url(world.city), {"sort": "on_time_rate"}).text))
    # lowest first; units without a rate go last either way
    assert names == [world.ben_thanh.name, world.tan_dinh.name, world.city_pc.name]


def test_today_is_the_date_the_figures_are_as_of(world, cascade, login):
    html = login(world.city_leader).get(dashboard_url(world.city)).text
    assert f"<strong>{TODAY:%d/%m/%Y}</strong>" in html

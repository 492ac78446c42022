"""The dashboard as a spreadsheet: what the leader sees, filters included, and audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from trienkhai.accounts.models import AuditEvent
from trienkhai.tasks import exports
from trienkhai.tasks.selectors import overdue_list, rollup
from trienkhai.tasks.testing import build_cascade
from trienkhai.units.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(world):
    return build_cascade(world)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2020, 8, 25, 9, 0), tick=False):
        yield


def download(client, unit, params=None):
    r = client.get(reverse("tasks:dashboard_export", args=[unit.pk]), params or {})
    assert r.status_code == 200
    assert r["Content-Type"] == exports.XLSX_TYPE
    assert "attachment" in r["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(r.streaming_content)))


def rows(sheet) -> list[tuple]:
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def test_the_export_has_a_summary_the_children_and_the_overdue_list(world, cascade, login):
    book = download(login(world.city_leader), world.city)
    summary, children, overdue = book.worksheets
    assert len(book.worksheets) == 3
    values = {r[0]: r[1:] for r in rows(summary) if r[0]}
    assert values[_("Total")][0] == 6
    assert values[_("Overdue")][:2] == (3, 50)
    assert values[_("Done on time")][0] == 1
    assert values[_("Update rate (%)")][0] == 50
    header, *data = rows(children)
    assert [r[0] for r in data] == [world.ben_thanh.name, world.tan_dinh.name, world.city_pc.name]
    assert data[0][2:9] == (3, 0, 0, 1, 0, 2, 0)  # total, on time, late, in progress, …
    header, *late = rows(overdue)
    assert len(late) == 3
    first = late[0]
    assert first[0] == world.ben_thanh.name and first[1] == cascade.study.title
    assert first[3].date() == dt.date(2020, 7, 31) and first[4] == 25
    assert first[5] == "Chờ tài liệu hướng dẫn của Ban Tuyên giáo"
    assert late[1][5] == _("no reason given")


def test_the_export_follows_the_filters_and_the_order(world, cascade, login):
    book = download(login(world.city_leader), world.city, {"kind": "study", "sort": "-total"})
    summary, children, overdue = book.worksheets
    assert (_("Kind of task"), str(cascade.study.get_kind_display())) in [
        r[:2] for r in rows(summary)
    ]
    data = rows(children)[1:]
    assert [r[2] for r in data] == [1, 1, 0]
    assert len(rows(overdue)) == 1 + 2


def test_an_export_is_audited(world, cascade, login):
    download(login(world.city_leader), world.ben_thanh, {"kind": "plan"})
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.user == world.city_leader
    assert event.detail["unit"] == world.ben_thanh.pk
    assert event.detail["what"] == "dashboard"
    assert event.detail["filters"] == {"kind": "plan"}


def test_a_ward_officer_cannot_export_another_ward(world, cascade, login):
    r = login(world.other_ward_officer).get(
        reverse("tasks:dashboard_export", args=[world.ben_thanh.pk])
    )
    assert r.status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_a_long_overdue_list_is_capped_with_a_note(world, cascade):
    roll = rollup(world.city)
    out = io.BytesIO()
    exports.write_dashboard(
        out,
        unit=world.city,
        today=dt.date(2020, 8, 25),
        counts=roll.counts,
        rows=[],
        own=None,
        overdue=overdue_list(world.city),
        overdue_count=roll.counts.overdue,
        filters=[],
        cap=2,
    )
    out.seek(0)
    late = rows(load_workbook(out).worksheets[2])
    assert len(late) == 1 + 2 + 2  # header, 2 rows, a blank line and the note
    assert "2" in late[-1][0] and "3" in late[-1][0]


def test_names_that_look_like_formulas_stay_text(world, cascade, login):
    unit_create(parent=world.city, name='=HYPERLINK("http://evil.example","x")', kind="other")
    r = login(world.city_leader).get(reverse("tasks:dashboard_export", args=[world.city.pk]))
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    cells = [c for row in book.worksheets[1].iter_rows() for c in row if c.value]
    evil = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert evil and all(c.data_type == "s" for c in evil)

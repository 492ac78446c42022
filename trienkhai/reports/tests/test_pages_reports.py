"""The inbox, a report's page, the fill-in form and the review actions, over HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trienkhai.reports.models import Report, Value
from trienkhai.reports.tests.conftest import accept, fill, send

pytestmark = pytest.mark.django_db
S = Report.State


def _body(response) -> str:
    return response.content.decode()


def _edit(client, r: Report, action: str = "save", **figures):
    r.refresh_from_db()
    data = {"version": str(r.version), "action": action}
    data.update({f"figure-{k}": v for k, v in figures.items()})
    return client.post(reverse("reports:edit", args=[r.pk]), data)


def test_the_inbox_lists_what_to_write_and_what_to_review(world, rep, login):
    client = login(world.ward_officer)
    body = _body(client.get(reverse("reports:inbox")))
    assert world.ben_thanh.name in body and reverse("reports:edit", args=[rep.bt.pk]) in body
    assert "Tân Định" not in body
    send(rep.cell, rep.cell_officer)
    response = client.get(reverse("reports:inbox"))
    assert [r.pk for r in response.context["review_page"].object_list] == [rep.cell.pk]


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(world, rep, login):
    client = login(world.ward_officer)
    response = _edit(client, rep.bt, HN="năm", TL="150", DV="1.200", DG="7,5", KH="1")
    assert response.status_code == 400
    body = _body(response)
    assert "“năm” không phải là số" in body
    assert "Tỷ lệ phần trăm phải từ 0 đến 100; 150 không hợp lệ." in body
    form = response.context["form"]
    assert form["figure-HN"].value() == "năm" and form["figure-DV"].value() == "1.200"
    assert not Value.objects.filter(report=rep.bt).exists()


def test_save_then_send_from_the_form(world, rep, login):
    client = login(world.ward_officer)
    response = _edit(client, rep.bt, HN="4", DV="1.200", DG="7,5", KH="1")
    assert response.status_code == 302
    assert Value.objects.get(report=rep.bt, indicator__code="DV").number == 1200
    page = client.get(reverse("reports:edit", args=[rep.bt.pk]))
    assert page.context["form"]["figure-DV"].value() == "1.200"
    assert page.context["form"]["figure-DG"].value() == "7,5"
    response = _edit(client, rep.bt, action="submit", HN="4", DV="1.200")
    assert response.status_code == 302
    assert Report.objects.get(pk=rep.bt.pk).state == S.SUBMITTED


def test_sending_without_a_required_figure_keeps_the_draft_and_marks_the_field(world, rep, login):
    client = login(world.other_ward_officer)
    response = _edit(client, rep.td, action="submit", DV="300")
    assert response.status_code == 400
    assert "Bắt buộc: nhập chỉ tiêu này trước khi gửi." in _body(response)
    td = Report.objects.get(pk=rep.td.pk)
    assert td.state == S.DRAFT and Value.objects.get(report=td, indicator__code="DV").number == 300
    assert response.context["form"]["version"].value() == str(td.version)


def test_a_stale_page_keeps_the_typed_figures(world, rep, login):
    client = login(world.other_ward_officer)
    rep.td.refresh_from_db()
    seen = rep.td.version
    fill(rep.td, world.other_ward_officer, HN=1)  # someone else saved meanwhile
    response = client.post(
        reverse("reports:edit", args=[rep.td.pk]),
        {"version": str(seen), "action": "save", "figure-HN": "9"},
    )
    assert response.status_code == 400
    assert "Người khác đã sửa báo cáo này" in _body(response)
    assert response.context["form"]["figure-HN"].value() == "9"


def test_the_receiver_returns_with_a_comment_then_accepts(world, rep, login):
    send(rep.cell, rep.cell_officer)
    client = login(world.ward_officer)
    cell = Report.objects.get(pk=rep.cell.pk)
    empty = client.post(
        reverse("reports:return", args=[cell.pk]), {"version": cell.version, "comment": ""}
    )
    assert empty.status_code == 400 and "Hãy ghi rõ cần sửa gì." in _body(empty)
    back = client.post(
        reverse("reports:return", args=[cell.pk]),
        {"version": cell.version, "comment": "Bổ sung số đảng viên"},
    )
    assert back.status_code == 302
    page = login(rep.cell_officer).get(reverse("reports:report", args=[cell.pk]))
    assert "Bổ sung số đảng viên" in _body(page)
    send(Report.objects.get(pk=cell.pk), rep.cell_officer, DV=40)
    cell.refresh_from_db()
    client = login(world.ward_officer)
    stale = client.post(reverse("reports:accept", args=[cell.pk]), {"version": cell.version - 1})
    assert stale.status_code == 409
    ok = client.post(reverse("reports:accept", args=[cell.pk]), {"version": cell.version})
    assert ok.status_code == 302 and Report.objects.get(pk=cell.pk).state == S.ACCEPTED
    history = client.get(reverse("reports:history", args=[cell.pk]))
    assert "Bổ sung số đảng viên" in _body(history) and "Trả lại" in _body(history)


def test_nobody_else_acts_and_others_get_404(world, rep, login):
    send(rep.cell, rep.cell_officer)
    cell = Report.objects.get(pk=rep.cell.pk)
    data = {"version": cell.version, "comment": "x", "reason": "x"}
    other = login(world.other_ward_officer)
    for name in ("report", "edit", "history", "docx", "xlsx"):
        assert other.get(reverse(f"reports:{name}", args=[cell.pk])).status_code == 404
    for name in ("accept", "return", "waive", "reopen", "submit", "receiver"):
        assert other.post(reverse(f"reports:{name}", args=[cell.pk]), data).status_code == 404
    # the cell's own officer reads its report but cannot accept it
    own = login(rep.cell_officer)
    assert own.post(reverse("reports:accept", args=[cell.pk]), data).status_code == 404
    # the City reads it (above), but only Bến Thành, its receiver, decides
    assert (
        login(world.city_leader).get(reverse("reports:report", args=[cell.pk])).status_code == 200
    )
    assert (
        login(world.city_leader).post(reverse("reports:accept", args=[cell.pk]), data).status_code
        == 404
    )
    assert Report.objects.get(pk=cell.pk).state == S.SUBMITTED


def test_the_city_s_report_page_traces_each_figure(
    world, rep, login, django_assert_max_num_queries
):
    accept(send(rep.cell, rep.cell_officer, HN=2), world.ward_officer)
    accept(send(rep.bt, world.ward_officer, HN=5), world.city_leader)
    client = login(world.city_leader)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("reports:report", args=[rep.city.pk]))
    body = _body(page)
    assert "từ 1 báo cáo" in body
    sources = client.get(reverse("reports:sources", args=[rep.city.pk, "HN"]))
    rows = [(v.report.unit.name, v.shown) for v in sources.context["page"].object_list]
    assert rows == [(world.ben_thanh.name, "5")]
    edit = client.get(reverse("reports:edit", args=[rep.city.pk]))
    assert edit.context["form"]["figure-HN"].value() == "5"  # opens pre-filled


def test_the_inbox_and_report_pages_keep_their_query_count(
    world, rep, login, django_assert_max_num_queries
):
    client = login(world.city_leader)
    for r in (rep.bt, rep.td):
        send(r, world.ward_officer if r == rep.bt else world.other_ward_officer)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reports:inbox")).status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(reverse("reports:edit", args=[rep.city.pk])).status_code == 200


def test_a_receiver_s_reader_sees_the_sums_but_not_who_sent_what(world, rep, login):
    from trienkhai.reports.services import report_set_receiver

    # Bến Thành's report goes to Tân Định (the owner may route it there): Tân Định's officer
    # reads it, but Bến Thành's own reporters (its cell) stay Bến Thành's business
    report_set_receiver(report=rep.bt, receiver=world.tan_dinh, by=world.city_leader)
    accept(send(rep.cell, rep.cell_officer, HN=2), world.ward_officer)
    client = login(world.other_ward_officer)
    page = client.get(reverse("reports:report", args=[rep.bt.pk]))
    assert page.status_code == 200
    assert page.context["reporter_page"] is None and page.context["excerpts"] == {}
    assert world.ben_thanh_cell.name not in _body(page)
    assert client.get(reverse("reports:sources", args=[rep.bt.pk, "HN"])).status_code == 404
    api = client.get(f"/api/v1/reports/{rep.bt.pk}/consolidation/").json()
    assert api["reporters"] == [] and {f["code"]: f["value"] for f in api["figures"]}["HN"] == 2
    own = login(world.ward_officer).get(reverse("reports:sources", args=[rep.bt.pk, "HN"]))
    assert own.status_code == 200

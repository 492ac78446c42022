"""The demo's annual evaluation of Resolution 52: closed years, and 2025 in motion."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from trienkhai.accounts.models import User
from trienkhai.reports.consolidation import completeness
from trienkhai.reports.models import Report, Round
from trienkhai.reports.views import edit_initial
from trienkhai.units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
S = Report.State


def test_the_demo_reports_every_year_and_the_city_s_report_downloads(settings, tmp_path, client):
    settings.VAR_DIR = tmp_path
    call_command("demo", stdout=io.StringIO())
    rounds = list(Round.objects.order_by("period_label"))
    assert [r.period_label for r in rounds] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    city = Unit.objects.get(code="TU79")
    for rnd in rounds[:-1]:
        t = completeness(rnd, city).tally
        assert t.expected == t.submitted == t.accepted == 170  # 169 committees and the City
        assert 0 < t.late < 30
    current = rounds[-1]
    states: dict[str, int] = {}
    for state in Report.objects.filter(round=current).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    assert set(states) == {S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.WAIVED}
    t = completeness(current, city).tally
    assert t.missing > 10 and t.late > 3 and t.returned > 3
    assert t.reporting_rate < 100
    ben_thanh = Report.objects.get(round=current, unit__code="DU26743")
    assert ben_thanh.state == S.RETURNED and ben_thanh.comment
    assert Report.objects.get(round=current, unit__code="DU26737").state == S.DRAFT  # Tân Định
    own = Report.objects.get(round=current, unit=city)
    initial = edit_initial(own)
    assert initial["figure-HN"] and initial["figure-KH"]  # opens pre-filled
    leader = User.objects.get(username="lanhdao.thanhuy")
    client.force_login(leader, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("reports:docx", args=[own.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "kết quả thực hiện Nghị quyết 52-NQ/TW năm 2025" in text and "(Dự thảo)" in text
    final = Report.objects.get(round=rounds[-2], unit=city)
    response = client.get(reverse("reports:docx", args=[final.pk]))
    doc = Document(io.BytesIO(response.content))
    assert "Số 304-BC/TU" in doc.tables[0].rows[0].cells[0].text
    assert "(Dự thảo)" not in [p.text for p in doc.paragraphs]

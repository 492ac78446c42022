"""The reports benchmark's data at a small scale: what it measures is what the app computes."""

from __future__ import annotations

import pytest

from bench.reports_bench import INDICATORS, build_reports, completeness_figure, consolidate_figure
from trienkhai.reports.consolidation import completeness, reporters_tally
from trienkhai.reports.models import Report, Round, Value

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bench_loads_an_accepted_round_and_measures_it(settings):
    nat = build_reports(units=1500)
    rnd = Round.objects.get(pk=nat.round_id)
    assert Value.objects.filter(report__round=rnd).count() == (nat.reports - 1) * INDICATORS
    assert Report.objects.filter(round=rnd, state="accepted").count() == nat.reports - 1
    t = completeness(rnd, rnd.owner).tally
    assert t.expected == nat.reports and t.accepted == nat.reports - 1
    assert 0 < t.late < t.submitted and t.reporting_rate < 100
    assert len(completeness(rnd, rnd.owner).rows) >= 3  # the root's own row and its provinces
    assert reporters_tally(rnd, nat.root_id).accepted == nat.reports - 1
    figures = consolidate_figure(nat, runs=1)
    assert figures["consolidate_60k_units_s"] >= 0
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert completeness_figure(nat)["completeness_root_ms"] > 0

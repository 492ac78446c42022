import datetime as dt

import pytest

from trienkhai.reports.testing import INDICATORS, TODAY, at, build_round


@pytest.fixture
def clock():
    with at(TODAY) as traveller:
        yield traveller


@pytest.fixture
def rep(world, clock):
    return build_round(world)


def fed_indicators(study_task, plan_task) -> list:
    """One indicator of each kind fed from the study records and the cascade."""
    from trienkhai.reports.models import Indicator
    from trienkhai.reports.services import IndicatorData

    src = Indicator.Source

    def fed(code, source, task, type_="integer", aggregation="sum", weight_code=""):
        return IndicatorData(
            code,
            code,
            type=type_,
            aggregation=aggregation,
            source=source,
            source_task=task,
            weight_code=weight_code,
        )

    return [
        fed("HNHT", src.STUDY_SESSIONS, study_task),
        fed("DVHT", src.STUDY_UNITS_HELD, study_task),
        fed("DVTG", src.STUDY_PARTY_MEMBERS, study_task),
        fed("TLDV", src.STUDY_PARTY_PERCENT, study_task, "percent", "weighted_avg", "DVTG"),
        fed("KHX", src.TASK_DONE, plan_task),
        fed("KHDH", src.TASK_ON_TIME_PERCENT, plan_task, "percent", "avg"),
    ]


def build_fed(world):
    """The study world with its sessions (see test_feeds.py) and a round whose form has
    fed indicators; returns (Reporting, Study)."""
    from trienkhai.outreach.testing import build_study, record
    from trienkhai.reports.services import form_create

    study = build_study(world)
    record(study.study_bt, party_members=900)
    record(study.study_cell, party_members=10)
    record(study.study_td, party_members=400)
    record(study.study_td, party_members=400, day=dt.date(2020, 7, 20))
    form = form_create(
        owner=world.city,
        by=world.city_leader,
        name="Báo cáo có số liệu tự tính",
        indicators=INDICATORS + fed_indicators(study.topic, study.cascade.plan),
    )
    return build_round(world, form), study


@pytest.fixture
def fed(world):
    built = build_fed(world)
    with at(TODAY):
        yield built


def fill(report, by, **figures):
    """Save some figures (codes → values) on a report through the service."""
    from trienkhai.reports.services import report_save

    report.refresh_from_db()
    return report_save(report=report, by=by, figures=figures)


def send(report, by, **figures):
    """Fill the required figure (HN) and anything given, then submit."""
    from trienkhai.reports.services import report_submit

    figures.setdefault("HN", 1)
    fill(report, by, **figures)
    report.refresh_from_db()
    return report_submit(report=report, by=by)


def accept(report, by):
    from trienkhai.reports.services import report_accept

    report.refresh_from_db()
    return report_accept(report=report, by=by)


@pytest.fixture(autouse=True)
def _counters_never_drift(request):
    """After every test that touched the database, the completeness counters of every round
    equal a recount of the reports: no service may forget to move them."""
    names = request.fixturenames
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after us
    elif "db" in names:
        request.getfixturevalue("db")
    elif not request.node.get_closest_marker("django_db"):
        yield
        return
    yield
    from trienkhai.reports import counts
    from trienkhai.reports.models import Round

    problems = [p for rnd in Round.objects.all() for p in counts.check(rnd)]
    assert not problems, problems

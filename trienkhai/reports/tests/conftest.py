import pytest

from trienkhai.reports.testing import TODAY, at, build_round


@pytest.fixture
def clock():
    with at(TODAY) as traveller:
        yield traveller


@pytest.fixture
def rep(world, clock):
    return build_round(world)


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

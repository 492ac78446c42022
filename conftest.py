import os

import pytest

# Playwright drives a live server from a thread with its own event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db):
    from trienkhai.core.testing import build_world

    return build_world()


@pytest.fixture
def login(client):
    """Log a test client in as a persona: ``login(world.ward_officer)``."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium: Playwright cannot download its own browser here."""
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": path, "args": BROWSER_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in Vietnamese: LocaleMiddleware leaves the last request's language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _second_factor(request, settings):
    """Leaders pass a TOTP code after their password (accounts/second_factor.py). Tests of
    other features log personas in directly; the tests marked ``second_factor`` keep it on."""
    if request.node.get_closest_marker("second_factor") is None:
        settings.SECOND_FACTOR_REQUIRED = False

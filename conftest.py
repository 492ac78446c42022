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

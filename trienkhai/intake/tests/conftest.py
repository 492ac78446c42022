"""Shared data for the intake tests: the test world, the 52-NQ/TW chain, the seed's text."""

from __future__ import annotations

import pytest

from trienkhai.core.testing import Chain, build_chain
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def chain(world) -> Chain:
    """52-NQ/TW → 116-HD/BTGTW → the City letter → the Action Program → ward plans."""
    return build_chain(world)


@pytest.fixture
def cadre_committee(world) -> Unit:
    """The People's Committee's party cadre committee, which the seed's letter tasks."""
    return unit_create(
        parent=world.city,
        name="Ban cán sự đảng Ủy ban nhân dân Thành phố",
        short_name="BCS đảng UBND TP",
        kind=Unit.Kind.CADRE_COMMITTEE,
    )

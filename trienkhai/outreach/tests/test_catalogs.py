"""The Vietnamese catalogs of the study and oversight apps are complete and current (the
project-wide test covers the apps that existed before them)."""

from __future__ import annotations

import pytest

from trienkhai.core.tests import test_project


@pytest.mark.parametrize("app", ["outreach", "oversight"])
def test_the_catalog_is_complete_and_current(app, tmp_path):
    test_project.test_vietnamese_catalog_is_complete_and_current(app, tmp_path)

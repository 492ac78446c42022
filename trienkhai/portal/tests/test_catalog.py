"""The portal's Vietnamese catalog is complete and compiled (the project test lists its apps)."""

from __future__ import annotations

from trienkhai.core.tests import test_project as project


def test_the_portal_catalog_is_complete(tmp_path):
    project.test_vietnamese_catalog_is_complete_and_current("portal", tmp_path)

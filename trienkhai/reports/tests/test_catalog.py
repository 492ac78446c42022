"""The app's Vietnamese catalog is complete and compiled (core's project test, for this app;
the lead adds "reports" to its APPS list when merging)."""

from trienkhai.core.tests import test_project as project


def test_the_reports_catalog_is_complete_and_current(tmp_path):
    project.test_vietnamese_catalog_is_complete_and_current("reports", tmp_path)

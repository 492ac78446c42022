from django.urls import path  # noqa: F401 - each section below adds its routes

from trienkhai.tasks import calendar, dashboard, views  # noqa: F401

app_name = "tasks"

# Pages (views.py)
page_urls: list = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create_view, name="create"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:pk>/targets/", views.task_targets, name="targets"),
    path("<int:pk>/targets/units/", views.target_unit_search, name="target_units"),
    path("<int:pk>/tree/", views.task_tree, name="tree"),
    path("tree/assignment/<int:pk>/", views.tree_children, name="tree_children"),
    path("<int:pk>/plans/", views.plan_tracker, name="plans"),
    path("<int:pk>/plans.xlsx", views.plan_export, name="plans_export"),
    path("assignments/", views.my_work, name="assignments"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/update/", views.assignment_update_view, name="update"),
    path("assignments/<int:pk>/programs/", views.assignment_programs, name="assignment_programs"),
    path("assignments/<int:pk>/reopen/", views.assignment_reopen_view, name="reopen"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("programs/", views.program_list, name="programs"),
    path("programs/new/", views.program_create_view, name="program_create"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
]

# Dashboard (dashboard.py)
dashboard_urls: list = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<int:unit_pk>/", dashboard.dashboard_unit, name="dashboard_unit"),
    path(
        "dashboard/<int:unit_pk>/children/",
        dashboard.dashboard_children,
        name="dashboard_children",
    ),
    path(
        "dashboard/<int:unit_pk>/export.xlsx",
        dashboard.dashboard_export,
        name="dashboard_export",
    ),
]

# Calendar feed (calendar.py)
calendar_urls: list = [
    path("calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("calendar/reset/", calendar.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar"),
]

urlpatterns = [*page_urls, *dashboard_urls, *calendar_urls]

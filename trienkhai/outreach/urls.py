from django.urls import path

from trienkhai.outreach import coverage, views

app_name = "outreach"

urlpatterns = [
    path("", coverage.coverage_home, name="coverage"),
    path("unit/<int:unit_pk>/", coverage.coverage_unit, name="coverage_unit"),
    path("unit/<int:unit_pk>/export.xlsx", coverage.coverage_export, name="coverage_export"),
    path("unit/<int:unit_pk>/all-topics/", coverage.coverage_all, name="coverage_all"),
    path(
        "unit/<int:unit_pk>/all-topics/export.xlsx",
        coverage.coverage_all_export,
        name="coverage_all_export",
    ),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/export.xlsx", views.session_export, name="sessions_export"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", views.session_delete_view, name="session_delete"),
    path("sessions/files/<int:pk>/", views.session_file, name="session_file"),
    path("public/", views.outreach_list, name="public"),
    path("public/new/", views.outreach_create, name="public_create"),
    path("public/<int:pk>/", views.outreach_detail, name="public_item"),
    path("public/<int:pk>/edit/", views.outreach_edit, name="public_edit"),
    path("public/<int:pk>/delete/", views.outreach_delete_view, name="public_delete"),
]

from django.urls import path

from trienkhai.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("forms/", views.form_list, name="forms"),
    path("forms/new/", views.form_create_view, name="form_create"),
    path("forms/<int:pk>/", views.form_detail, name="form"),
    path("forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_create_view, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/figures.xlsx", views.round_xlsx, name="round_xlsx"),
    path("rounds/<int:pk>/template.xlsx", views.round_template, name="round_template"),
    path("rounds/<int:pk>/import/", views.round_import, name="round_import"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/submit/", views.report_submit_view, name="submit"),
    path("<int:pk>/return/", views.report_return_view, name="return"),
    path("<int:pk>/accept/", views.report_accept_view, name="accept"),
    path("<int:pk>/reopen/", views.report_reopen_view, name="reopen"),
    path("<int:pk>/waive/", views.report_waive_view, name="waive"),
    path("<int:pk>/receiver/", views.report_receiver_view, name="receiver"),
    path("<int:pk>/sources/<str:code>/", views.report_sources, name="sources"),
    path("<int:pk>/history/", views.report_history, name="history"),
    path("<int:pk>/report.docx", views.report_docx, name="docx"),
    path("<int:pk>/figures.xlsx", views.report_xlsx, name="xlsx"),
]

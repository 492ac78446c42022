from django.urls import path

from trienkhai.oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<int:unit_pk>/", views.unit_page, name="unit"),
    path("unit/<int:unit_pk>/export.xlsx", views.unit_export, name="unit_export"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create_view, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/delete/", views.plan_delete_view, name="plan_delete"),
    path("plans/<int:pk>/targets/", views.plan_target_add, name="plan_target_add"),
    path("plans/targets/<int:pk>/remove/", views.plan_target_remove, name="plan_target_remove"),
    path("plans/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", views.visit_delete_view, name="visit_delete"),
    path("visits/files/<int:pk>/", views.visit_file, name="visit_file"),
    path("recommendations/", views.recommendation_list, name="recommendations"),
    path(
        "recommendations/<int:pk>/verify/",
        views.recommendation_verify_view,
        name="recommendation_verify",
    ),
    path(
        "recommendations/<int:pk>/return/",
        views.recommendation_return_view,
        name="recommendation_return",
    ),
]

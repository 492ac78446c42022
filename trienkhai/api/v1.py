"""Routes of API version 1."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from trienkhai.api import reports_views, tasks_views, views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("tasks", tasks_views.TaskViewSet, basename="task")
router.register("assignments", tasks_views.AssignmentViewSet, basename="assignment")
router.register("rollup", tasks_views.RollupViewSet, basename="rollup")
router.register("programs", tasks_views.ProgramViewSet, basename="program")
router.register("report-forms", reports_views.ReportFormViewSet, basename="report-form")
router.register("report-rounds", reports_views.RoundViewSet, basename="report-round")
router.register("reports", reports_views.ReportViewSet, basename="report")

urlpatterns = [
    path("auth/token/", views.obtain_token, name="api-token"),
    *router.urls,
]

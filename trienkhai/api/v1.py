"""Routes of API version 1."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from trienkhai.api import (
    outreach_views,
    oversight_views,
    portal_views,
    reports_views,
    tasks_views,
    views,
)
from trienkhai.intake.api import vntext_read

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("tasks", tasks_views.TaskViewSet, basename="task")
router.register("assignments", tasks_views.AssignmentViewSet, basename="assignment")
router.register("rollup", tasks_views.RollupViewSet, basename="rollup")
router.register("programs", tasks_views.ProgramViewSet, basename="program")
router.register("portal/articles", portal_views.PublicArticleViewSet, basename="portal-article")
router.register(
    "portal/announcements", portal_views.PublicAnnouncementViewSet, basename="portal-announcement"
)
router.register("study-sessions", outreach_views.StudySessionViewSet, basename="study-session")
router.register("public-outreach", outreach_views.PublicOutreachViewSet, basename="public-outreach")
router.register("coverage", outreach_views.CoverageViewSet, basename="coverage")
router.register("oversight-plans", oversight_views.PlanViewSet, basename="oversight-plan")
router.register("oversight-visits", oversight_views.VisitViewSet, basename="oversight-visit")
router.register("recommendations", oversight_views.RecommendationViewSet, basename="recommendation")
router.register("oversight", oversight_views.OversightRollupViewSet, basename="oversight")
router.register("report-forms", reports_views.ReportFormViewSet, basename="report-form")
router.register("report-rounds", reports_views.RoundViewSet, basename="report-round")
router.register("reports", reports_views.ReportViewSet, basename="report")

urlpatterns = [
    path("auth/token/", views.obtain_token, name="api-token"),
    path("vntext/read/", vntext_read, name="api-vntext-read"),
    *router.urls,
]

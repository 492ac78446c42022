from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("trienkhai.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("trienkhai.accounts.urls")),
    path("units/", include("trienkhai.units.urls")),
    path("documents/", include("trienkhai.documents.urls")),
    path("tasks/", include("trienkhai.tasks.urls")),
    path("intake/", include("trienkhai.intake.urls")),
    path("portal/", include("trienkhai.portal.urls")),
    path("outreach/", include("trienkhai.outreach.urls")),
    path("oversight/", include("trienkhai.oversight.urls")),
    path("reports/", include("trienkhai.reports.urls")),
    path("api/", include("trienkhai.api.urls")),
    path("admin/", admin.site.urls),
]

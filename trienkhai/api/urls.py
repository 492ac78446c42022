from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from a URL, not inline: our CSP
    # forbids inline scripts. Its stylesheet tweaks live in a static file for the same reason.
    # A signed-out visitor of the docs page is sent to the login page, then back.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path("v1/", include("trienkhai.api.v1")),
]

"""Routes of API version 1."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from trienkhai.api import views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("documents", views.DocumentViewSet, basename="document")

urlpatterns = [
    path("auth/token/", views.obtain_token, name="api-token"),
    *router.urls,
]

from django.urls import path

from trienkhai.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.intake_new, name="new"),
    path("confirm/", views.intake_confirm_view, name="confirm"),
]

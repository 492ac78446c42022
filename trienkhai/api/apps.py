from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "trienkhai.api"
    label = "api"

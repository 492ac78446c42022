from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "trienkhai.reports"
    verbose_name = _("Periodic reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trienkhai.reports import receivers  # noqa: F401

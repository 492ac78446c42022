from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "trienkhai.outreach"
    verbose_name = _("Study and dissemination")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trienkhai.outreach import receivers  # noqa: F401

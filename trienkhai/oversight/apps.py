from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "trienkhai.oversight"
    verbose_name = _("Inspection and supervision")
    default_auto_field = "django.db.models.BigAutoField"

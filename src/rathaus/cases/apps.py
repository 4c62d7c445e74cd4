from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "rathaus.cases"
    label = "cases"
    verbose_name = _("Submissions and cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rathaus.accounts import gdpr
        from rathaus.cases.services import open_cases_hold

        gdpr.register_retention_hold(open_cases_hold)

"""School IT: the inventory of the town's schools, loans to pupils and support requests of
teachers (ADR 0073)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "rathaus.schools"
    verbose_name = _("School IT")

    def ready(self) -> None:
        from rathaus.schools import setup

        setup.ready()

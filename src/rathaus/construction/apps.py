"""Construction sites, traffic disruptions and the town's construction projects (ADR 0063)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstructionConfig(AppConfig):
    name = "rathaus.construction"
    verbose_name = _("Construction sites")

    def ready(self) -> None:
        from rathaus.construction import projects

        projects.ready()

"""The town's digital projects, their funding and the council paper about them (ADR 0072)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "rathaus.projects"
    verbose_name = _("Digital projects")

    def ready(self) -> None:
        from rathaus.projects import setup

        setup.ready()

"""The council's information: meetings, papers, persons and committees, served over OParl 1.1
and imported from other council systems (ADR 0066)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "rathaus.council"
    verbose_name = _("Council")

    def ready(self) -> None:
        from rathaus.council import source

        source.register()

"""The council's information: meetings, papers, persons and committees, served over OParl 1.1
and imported from other council systems (ADR 0066)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "rathaus.council"
    verbose_name = _("Council")

    def ready(self) -> None:
        from rathaus.council import staff_common

        staff_common.ready()
        from rathaus.council import public_setup

        public_setup.ready()
        from rathaus.council import demo

        demo.ready()
        from rathaus.council import signage

        signage.ready()  # the next meetings on the screens of the notice board (ADR 0067)

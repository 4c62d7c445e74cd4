"""The council's information: meetings, papers, persons and committees, served over OParl 1.1
and imported from other council systems (ADR 0066)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "rathaus.council"
    verbose_name = _("Council")

    def ready(self) -> None:
        from rathaus.council import demo, public_setup, signage, source, staff_common

        staff_common.ready()  # staff navigation, file download rule, e-file reconciler
        public_setup.ready()  # the main navigation entry "Gemeinderat"
        demo.ready()  # the council of the Barleben demo
        signage.ready()  # the next meetings on the screens of the notice board (ADR 0067)
        source.register()  # the open dataset "Ratsinformationen" (ADR 0064)

"""Events of the Digitalwerkstatt: courses, workshops and open hours (ADR 0069)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "rathaus.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from rathaus.events import setup

        setup.ready()

"""Citizen participation: processes with phases, surveys and their results (ADR 0070)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "rathaus.participation"
    verbose_name = _("Citizen participation")

    def ready(self) -> None:
        from rathaus.participation import setup

        setup.ready()  # navigation, staff entry, demo, GDPR export, housekeeping

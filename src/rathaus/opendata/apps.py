"""Open data of the town: sensor observations over the OGC SensorThings API, dashboards, alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "rathaus.opendata"
    verbose_name = _("Open data")

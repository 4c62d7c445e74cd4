"""Open data of the town: sensor observations over the OGC SensorThings API, dashboards, alerts."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "rathaus.opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        self._storage_ready()

    def _storage_ready(self) -> None:
        """Partitions made ahead, aggregates and retention by the worker; the demo network."""
        from rathaus.core import demo as core_demo
        from rathaus.core import housekeeping
        from rathaus.opendata import demo, partitions, retention

        housekeeping.register("opendata.partitions", partitions.ensure_ahead, timedelta(days=1))
        housekeeping.register(
            "opendata.aggregates", retention.aggregate_recent, timedelta(minutes=15)
        )
        housekeeping.register("opendata.retention", retention.remove_old, timedelta(days=1))
        core_demo.register_loader("opendata", demo.load)

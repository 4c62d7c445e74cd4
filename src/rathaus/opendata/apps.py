"""Open data of the town: sensor observations over the OGC SensorThings API, dashboards, alerts."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "rathaus.opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        self._mqtt_ready()
        self._storage_ready()

    def _mqtt_ready(self) -> None:
        """The MQTT extension (ADR 0059): the staff entry "Sensor data" for administrators,
        leading to the messages the consumer could not store."""
        from rathaus.core import navigation

        navigation.register_staff(
            navigation.StaffNavItem(
                "sensordata", _("Sensor data"), "mqtt_staff:dead_letters", 47,
                permitted=_looks_after_sensor_data,
            )
        )  # fmt: skip

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


def _looks_after_sensor_data(staff: object) -> bool:
    from rathaus.core import roles

    return bool(
        staff.user.is_superuser  # type: ignore[attr-defined]
        or roles.ADMINISTRATOR in staff.role_names  # type: ignore[attr-defined]
    )

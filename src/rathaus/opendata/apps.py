"""Open data of the town: sensor observations over the OGC SensorThings API, dashboards, alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "rathaus.opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        self._mqtt_ready()

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


def _looks_after_sensor_data(staff: object) -> bool:
    from rathaus.core import roles

    return bool(
        staff.user.is_superuser  # type: ignore[attr-defined]
        or roles.ADMINISTRATOR in staff.role_names  # type: ignore[attr-defined]
    )

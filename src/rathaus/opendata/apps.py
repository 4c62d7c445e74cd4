"""Open data of the town: sensor observations over the OGC SensorThings API, dashboards, alerts."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "rathaus.opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from rathaus.opendata import signage

        self._storage_ready()
        self._dashboards_ready()
        self._catalogue_ready()
        signage.ready()  # live values and alerts on the screens (ADR 0067)

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

    def _dashboards_ready(self) -> None:
        """Dashboards and alerts (ADR 0061): the public navigation entry "Daten", the staff
        entries "Open data" (the catalogue, ADR 0062) and "Sensor data" for administrators
        (thresholds, and the MQTT messages that could not be stored, ADR 0059) and the alert
        check every minute."""
        from rathaus.core import housekeeping, navigation
        from rathaus.opendata import alerts, link_check, subscriptions
        from rathaus.opendata.mqtt import dead_letters

        navigation.register(navigation.NavItem("data", _("Data"), "opendata:overview", 70))
        navigation.register_staff(
            navigation.StaffNavItem(
                "sensordata", _("Sensor data"), "opendata_staff:thresholds", 75,
                permitted=looks_after_sensor_data,
            )
        )  # fmt: skip
        navigation.register_staff(
            navigation.StaffNavItem(
                "opendata", _("Open data"), "catalogue_staff:list", 76,
                permitted=keeps_catalogue,
            )
        )  # fmt: skip
        housekeeping.register("opendata.alerts", alerts.run, timedelta(minutes=1))
        housekeeping.register(
            "opendata.unconfirmed_subscriptions", subscriptions.remove_unconfirmed,
            timedelta(days=1),
        )  # fmt: skip
        housekeeping.register("opendata.dead_letters", dead_letters.prune, timedelta(days=1))
        # The download addresses of the open data catalogue (docs/dcat-import.md).
        housekeeping.register("opendata.link_check", link_check.job, timedelta(hours=1))

    def _catalogue_ready(self) -> None:
        """Datasets the platform produces (ADR 0064): the sensor series as a source, the sync
        every hour and after the other demo loaders."""
        from rathaus.core import demo as core_demo
        from rathaus.core import housekeeping
        from rathaus.opendata import catalogue_sync, sources

        sources.register()
        housekeeping.register("opendata.catalogue_sync", catalogue_sync.run, timedelta(hours=1))
        core_demo.register_loader("opendata.catalogue_sync", catalogue_sync.load_demo, last=True)


def looks_after_sensor_data(staff: object) -> bool:
    """Administrators (and superusers) keep the sensor thresholds and the dead letters."""
    from rathaus.core import roles

    return bool(
        staff.user.is_superuser  # type: ignore[attr-defined]
        or roles.ADMINISTRATOR in staff.role_names  # type: ignore[attr-defined]
    )


def keeps_catalogue(staff: object) -> bool:
    """Superusers, administrators and the role "Sensordaten" keep the open data catalogue."""
    from rathaus.core import roles

    names = staff.role_names  # type: ignore[attr-defined]
    return bool(
        staff.user.is_superuser  # type: ignore[attr-defined]
        or roles.ADMINISTRATOR in names
        or roles.SENSOR_DATA in names
    )

"""Open data of the town: sensor observations over the OGC SensorThings API, dashboards, alerts."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "rathaus.opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        self._dashboards_ready()

    def _dashboards_ready(self) -> None:
        """Dashboards and alerts (ADR 0061): the public navigation entry "Daten", the staff
        entry of the thresholds and the alert check every minute."""
        from rathaus.core import housekeeping, navigation
        from rathaus.opendata import alerts

        navigation.register(navigation.NavItem("data", _("Data"), "opendata:overview", 70))
        navigation.register_staff(
            navigation.StaffNavItem(
                "opendata.thresholds",
                _("Sensor thresholds"),
                "opendata_staff:thresholds",
                75,
                permitted=_keeps_thresholds,
            )
        )
        housekeeping.register("opendata.alerts", alerts.run, timedelta(minutes=1))


def _keeps_thresholds(staff: object) -> bool:
    from rathaus.core import roles

    return bool(
        staff.user.is_superuser  # type: ignore[attr-defined]
        or roles.ADMINISTRATOR in staff.role_names  # type: ignore[attr-defined]
    )

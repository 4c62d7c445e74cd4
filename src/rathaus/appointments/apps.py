from django.apps import AppConfig
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def booking_totals() -> dict[str, int]:
    """Bookings by status (held, confirmed, cancelled), for /metrics (rathaus_bookings)."""
    from rathaus.appointments.models import Booking

    rows = Booking.objects.order_by().values_list("status").annotate(n=Count("pk"))
    # every known value, 0 when it has no row, so that alerts always find the series
    found = {value: 0 for value, _label in Booking._meta.get_field("status").choices or ()}
    return found | dict(rows.values_list("status", "n"))


class AppointmentsConfig(AppConfig):
    name = "rathaus.appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from datetime import timedelta

        from rathaus.appointments import demo as appointments_demo
        from rathaus.appointments import open_data, services, ways
        from rathaus.appointments.locations import AppointmentType, Location, Resource
        from rathaus.catalog import online
        from rathaus.core import demo as core_demo
        from rathaus.core import housekeeping, navigation, pagecache
        from rathaus.core.navigation import NavItem

        navigation.register(NavItem("appointments", _("Appointments"), "appointments:index", 20))
        navigation.register_staff(
            navigation.StaffNavItem(
                "appointments", _("Appointments"), "appointments_staff:locations", 30
            )
        )
        navigation.register_start_task(
            navigation.StartTask(
                "book",
                _("Book an appointment"),
                _("Choose a day and a time for your visit to the town hall."),
                10,
                lambda authority: reverse("appointments:index"),
            )
        )
        online.register(online.Kind.APPOINTMENT, "appointments", ways.booking_urls)
        pagecache.invalidate_on(Location, AppointmentType, Resource)  # the booking ways
        core_demo.register_loader("appointments", appointments_demo.load)
        open_data.register()  # the public statistics as an open dataset (ADR 0064)
        core_demo.login_notes.append(
            "Demo appointments, staff side: /verwaltung/termine/ (buergerbuero, standesamt); "
            "call-up display: /aufruf/buergerbuero/"
        )
        housekeeping.register(
            "appointments.expire-holds", services.expire_holds, timedelta(minutes=1)
        )
        housekeeping.register(
            "appointments.reminders", services.send_reminders, timedelta(minutes=10)
        )
        from rathaus.core import metrics

        metrics.register_total(
            "rathaus_bookings", "Appointment bookings, by status.", booking_totals, "status"
        )

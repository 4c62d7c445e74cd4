"""What the appointments app does with personal data (the privacy notice's sections, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="appointments.booking",
        title=_("Booking an appointment"),
        purpose=_(
            "To give you an appointment, to remind you of it, to call you at the desk, and to "
            "share the free times fairly: the number of appointments per e-mail address and "
            "phone number is limited, and appointments not kept are counted."
        ),
        legal_basis=_("Art. 6 (1) (e) GDPR together with the law of the service you come for."),
        data=_(
            "Name, e-mail address, phone number if you give it, the time and the services "
            "booked, your waiting number, and whether you came."
        ),
        recipients=_("The staff of the office you booked with."),
        retention=_(
            "Bookings, waiting numbers and the count of appointments not kept are kept for the "
            "authority's records of appointments and deleted by it when they are no longer needed."
        ),
        models=(
            "appointments.Booking",
            "appointments.BookingItem",
            "appointments.Ticket",
            "appointments.PersonQuota",
            "appointments.PhoneQuota",
            "appointments.NoShowCount",
        ),
    ),
    Activity(
        key="appointments.waiting-list",
        title=_("Waiting list for appointments"),
        purpose=_("If no time is free, to offer you the next time that becomes free, by e-mail."),
        legal_basis=_("Art. 6 (1) (a) GDPR: you ask to be put on the list."),
        data=_("Name, e-mail address, the service and the days you would like."),
        recipients=_("The staff of the office."),
        retention=_("Until you book or leave the list; afterwards like a booking."),
        models=("appointments.WaitingListEntry",),
    ),
)

WITHOUT_PERSONAL_DATA = (
    "appointments.Location", "appointments.AppointmentType", "appointments.Resource",
    "appointments.OpeningHours", "appointments.Closure", "appointments.Block",
    "appointments.Occupancy",
)  # fmt: skip

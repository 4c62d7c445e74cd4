"""What the events app does with personal data (privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="events.registrations",
        title=_("Registering for events"),
        purpose=_(
            "To keep your place at a course, workshop or open hours of the Digitalwerkstatt, to "
            "tell you if a place becomes free on the waiting list or if the event is cancelled, "
            "to remind you the day before, to note your attendance and to issue a certificate "
            "of attendance."
        ),
        legal_basis=_(
            "Art. 6 (1) (a) GDPR: your consent, given with the registration and "
            "confirmed by the link we send."
        ),
        data=_(
            "Name, e-mail address, number of places, the consent you gave, when you "
            "registered and confirmed, whether you came; your account if you were logged in."
        ),
        recipients=_("The staff who run the event."),
        retention=_(
            "Registrations not confirmed within 48 hours lapse; every registration is deleted "
            "90 days after the end of its event. You can cancel at any time with the link in "
            "every e-mail."
        ),
        models=("events.Registration",),
    ),
)

WITHOUT_PERSONAL_DATA = ("events.Event", "events.Series", "events.SeriesException")

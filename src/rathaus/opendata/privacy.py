"""What open data does with personal data (privacy notice, ADR 0024).

Sensor data is about places, not people. The only personal data are the e-mail addresses of
people who asked for alerts."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="opendata.alerts",
        title=_("Alerts from the town's measurements by e-mail"),
        purpose=_(
            "If you ask for it, we send you an e-mail when a measured value (for example fine "
            "dust or a groundwater level) exceeds a limit, and when it is normal again."
        ),
        legal_basis=_("Art. 6 (1) (a) GDPR: your consent, given by confirming the link we send."),
        data=_("Your e-mail address, the topic you chose and when you confirmed it."),
        recipients=_("Nobody: the e-mails are sent by the town's own system."),
        retention=_(
            "Until you end the alerts with the link in every e-mail; addresses that were never "
            "confirmed are deleted after seven days."
        ),
        models=("opendata.AlertSubscription",),
    ),
)

WITHOUT_PERSONAL_DATA = (
    "opendata.Thing",
    "opendata.Location",
    "opendata.HistoricalLocation",
    "opendata.Sensor",
    "opendata.ObservedProperty",
    "opendata.Datastream",
    "opendata.MultiDatastream",
    "opendata.MultiDatastreamProperty",
    "opendata.FeatureOfInterest",
    "opendata.Observation",
    "opendata.LatestObservation",
    "opendata.Aggregate",
    "opendata.Threshold",
    "opendata.Alert",
    "opendata.DeadLetter",
    # the contact point of a dataset is an office's address (the staff form says so)
    "opendata.Dataset",
    "opendata.Distribution",
)

"""What the exchange with other authorities does with personal data (privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="exchange.submissions",
        title=_("Passing applications to the responsible authority"),
        purpose=_(
            "When another authority is responsible for your application, it is handed to that "
            "authority encrypted, and its answers (received, accepted, rejected) are shown to "
            "you. Applications other authorities send to us arrive the same way."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR together with § 3 of the Onlinezugangsgesetz (OZG) and the "
            "rules of the responsible authority's procedure; forwarding to the responsible "
            "authority also follows § 24 (3) of the Verwaltungsverfahrensgesetz."
        ),
        data=_(
            "Everything you entered in the application and the files you attached, encrypted "
            "so that only the receiving authority can read them; the time of sending and the "
            "answers of the receiving authority."
        ),
        recipients=_("The receiving authority named on your application's page."),
        retention=_(
            "As long as the application itself: the record of the handing over is deleted "
            "with the application."
        ),
        models=(
            "exchange.Outgoing",
            "exchange.Incoming",
            "exchange.IncomingAttachment",
            "exchange.Event",
        ),
    ),
)

WITHOUT_PERSONAL_DATA = ("exchange.Destination", "exchange.OwnDestination", "exchange.Sender")

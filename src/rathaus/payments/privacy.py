"""What paying online does with personal data (the sections of the privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="payments.requests",
        title=_("Paying fees"),
        purpose=_(
            "To collect the fee of your application and to account for it: the payment "
            "request with its cash reference (Kassenzeichen), the items you pay for, whether "
            "and how it was paid, and any refund."
        ),
        legal_basis=_(
            "Art. 6 (1) (c) and (e) GDPR together with the fee law of the Land "
            "(Verwaltungskostengesetz, Allgemeine Gebührenordnung) and the municipal budget "
            "and cash law (Kommunalverfassungsgesetz, Gemeindekassenverordnung)."
        ),
        data=_(
            "Your name and e-mail address as payer, the amount, purpose and cash reference, the "
            "payment method and the transaction number of the payment service; not your card "
            "or account details, which only the payment service sees."
        ),
        recipients=_(
            "The cash office of the authority; the payment service that collects the money "
            "(for its part of the payment, under its own privacy notice)."
        ),
        retention=_(
            "Ten years after the end of the year of payment, as the budget and cash law "
            "requires for accounting records (§ 147 AO applies accordingly)."
        ),
        models=(
            "payments.PaymentRequest",
            "payments.PaymentItem",
            "payments.StatusChange",
            "payments.Notification",
            "payments.Refund",
        ),
    ),
)

WITHOUT_PERSONAL_DATA = ("payments.CashOffice", "payments.Fee")

"""What the cases app does with personal data (the sections of the privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="cases.cases",
        title=_("Handling your case"),
        purpose=_(
            "To decide on your application or request: the responsible staff see it in their "
            "inbox, ask for documents, write notes, send you messages and the decision."
        ),
        legal_basis=_(
            "Art. 6 (1) (c) and (e) GDPR together with the law of the service and the "
            "administrative procedure law (VwVfG of the Land)."
        ),
        data=_(
            "Your application, documents sent later, notes of the staff, the decision and its "
            "history."
        ),
        recipients=_(
            "The staff responsible; another authority when it is responsible for your case "
            "or must take part by law."
        ),
        retention=_("As long as the rules on keeping files of the administration require."),
        models=(
            "cases.Case",
            "cases.CaseEvent",
            "cases.CaseNote",
            "cases.CaseDocument",
            "cases.DocumentRequest",
            "cases.CaseUpload",
            "cases.OutboxItem",
        ),
    ),
    Activity(
        key="cases.register",
        title=_("Certificate of registration: data from the population register"),
        purpose=_(
            "To print in your certificate of registration what the population register says: "
            "the staff check the register and confirm your name, date of birth, address and "
            "the day you moved in."
        ),
        legal_basis=_("Art. 6 (1) (c) and (e) GDPR together with section 18 BMG."),
        data=_("Name, date of birth, address and move-in date as registered."),
        recipients=_("The staff of the registration office responsible for your case."),
        retention=_("Together with your case, as long as the rules on keeping files require."),
        models=("cases.RegisterRecord",),
    ),
)

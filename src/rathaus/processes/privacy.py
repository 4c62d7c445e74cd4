"""What the processes app does with personal data (the sections of the privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="processes.steps",
        title=_("Steps of the processing"),
        purpose=_(
            "To guide the staff through the steps of your case in the prescribed order and to "
            "record which step was done when and by whom."
        ),
        legal_basis=_("Art. 6 (1) (e) GDPR together with the law of the service."),
        data=_("The data of your case that the steps need, and who did each step when."),
        recipients=_("The staff responsible for your case."),
        retention=_("As long as the case file."),
        models=("processes.ProcessInstance", "processes.ProcessTask"),
    ),
)

WITHOUT_PERSONAL_DATA = ("processes.ProcessModel", "processes.ProcessVersion")

"""What the forms app does with personal data (the sections of the privacy notice, ADR 0024)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="forms.applications",
        title=_("Online applications and requests"),
        purpose=_(
            "To receive your application or request, to keep what you typed until you send it, "
            "and to give you a receipt."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR together with the law of the service you apply for and the "
            "Onlinezugangsgesetz; Art. 6 (1) (c) GDPR where a law requires the data."
        ),
        data=_(
            "What the form asks for (shown in the form), the files you upload, the reference "
            "number, time and how you logged in."
        ),
        recipients=_(
            "The office responsible for your application; if another authority is responsible, "
            "your application is forwarded to it."
        ),
        retention=_(
            "Applications not sent are deleted 30 days after your last change. Sent "
            "applications are kept as part of the case file, as long as the rules on keeping "
            "files require."
        ),
        models=(
            "forms.Draft",
            "forms.Upload",
            "forms.Submission",
            "forms.SubmissionAttachment",
            "forms.SubmissionEvent",
        ),
    ),
    Activity(
        key="forms.virus-scan",
        title=_("Checking uploaded files for viruses"),
        purpose=_(
            "Every uploaded file is checked for malware and hidden content before it is kept, "
            "to protect you and the administration."
        ),
        legal_basis=_("Art. 6 (1) (e) GDPR together with Art. 32 GDPR."),
        data=_("The content of the file you upload."),
        recipients=_("Nobody: the check runs on the servers of the portal."),
        retention=_("A file that fails the check is deleted at once."),
        applies=lambda: settings.RATHAUS_VIRUS_SCANNER != "none",
    ),
)

WITHOUT_PERSONAL_DATA = ("forms.FormDefinition", "forms.FormVersion", "forms.CodeList")

"""What the e-file does with personal data (the sections of the privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="documents.files",
        title=_("The electronic file of your case"),
        purpose=_(
            "To keep the documents of your case in order, as the administration must: your "
            "application, the evidence you sent, letters, messages and the decision are filed "
            "in the case's electronic file (E-Akte), with every version and who filed it."
        ),
        legal_basis=_(
            "Art. 6 (1) (c) and (e) GDPR together with the law of the service and the "
            "administrative procedure law (VwVfG of the Land); the e-government law of the "
            "Land for keeping files electronically."
        ),
        data=_(
            "The documents of your case and their text, who filed, changed or read them and when."
        ),
        recipients=_(
            "The staff responsible; the state archive when a file is worth keeping for ever; "
            "another authority that takes over the matter."
        ),
        retention=_(
            "For the period the file plan sets for the kind of matter, counted from the end of "
            "the year the file is closed; then the file is deleted (a record says only that it "
            "was deleted) or offered to the state archive."
        ),
        models=(
            "documents.File",
            "documents.Document",
            "documents.Version",
            "documents.Annotation",
            "documents.FileEvent",
            "documents.AccessRecord",
            "documents.DeletionRequest",
        ),
    ),
)

WITHOUT_PERSONAL_DATA = ("documents.Subject", "documents.DeletionRecord")

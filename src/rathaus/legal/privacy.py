"""What the legal app does with personal data (the sections of the privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="legal.accessibility-feedback",
        title=_("Reporting a barrier"),
        purpose=_(
            "To remove a barrier you report on the page about accessibility and to answer you. "
            "Your report becomes a case of the authority."
        ),
        legal_basis=_("Art. 6 (1) (e) GDPR together with § 7 BITV 2.0."),
        data=_(
            "Your report, the page concerned, and your name and e-mail address if you give them."
        ),
        recipients=_("The staff who handle reports about accessibility."),
        retention=_("As long as the case file."),
    ),
)

# The texts of the legal pages: official information the law requires to be published.
WITHOUT_PERSONAL_DATA = ("legal.LegalTexts",)

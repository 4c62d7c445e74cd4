"""What the council information does with personal data (privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="council.members",
        title=_("Members of the council and its committees"),
        purpose=_(
            "The public may know who represents them: the council shows its members and the "
            "members of its committees, their factions and roles, the meetings and papers they "
            "took part in, and the contact details they gave for the office."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR together with the municipal constitution of the Land "
            "(Kommunalverfassungsgesetz), which makes council work public."
        ),
        data=_(
            "Name, form of address, academic title, office contact details, memberships with "
            "role and period, and a short text the member gave. No private address."
        ),
        recipients=_(
            "Everyone: the pages under /rat/ and the OParl interface are public and other "
            "council portals may read them."
        ),
        retention=_(
            "As long as the council's records of the legislative term are kept; a person's "
            "entry is marked as deleted when they ask for it after leaving office."
        ),
        models=("council.Person", "council.Membership"),
    ),
)

WITHOUT_PERSONAL_DATA = (
    "council.Body",
    "council.LegislativeTerm",
    "council.Location",
    # papers and protocols of public meetings; non-public agenda items show no content
    "council.File",
    "council.Organization",
    "council.Meeting",
    "council.AgendaItem",
    "council.Paper",
    "council.Consultation",
)

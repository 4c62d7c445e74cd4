"""What citizen participation does with personal data (privacy notice, ADR 0024, ADR 0070)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="participation.surveys",
        title=_("Citizen surveys"),
        purpose=_(
            "When you answer a survey with your account, we note that you took part, so that "
            "everyone can answer only once. Your answers are stored separately, without your "
            "name or account and without the time: nobody can see which answers are yours. If "
            "you save your answers to continue later, they are kept with your account (or "
            "behind your resume link) until you send them."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR: the municipality's task to inform and involve its "
            "residents; taking part is voluntary."
        ),
        data=_(
            "Your account and the day you took part; for surveys only for residents, the postal "
            "code of your account and the trust level of your login are checked, not stored. "
            "Unsent answers in a draft."
        ),
        recipients=_("Nobody. The results are published only as totals and approved texts."),
        retention=_(
            "The note that you took part: as long as the survey's results are kept. Drafts: "
            "until you send the answers, at the latest the day after the survey ends."
        ),
        models=("participation.ParticipationRecord", "participation.Draft"),
    ),
    Activity(
        key="participation.proposals",
        title=_("Proposals, supports and comments"),
        purpose=_(
            "When you submit a proposal, support one or write a comment, we keep it with your "
            "account so that everyone can support a proposal only once, so that abuse can be "
            "stopped and so that the municipality can answer you. Proposals and comments are "
            "public without your name; a picture is stored without its metadata (no GPS "
            "position). When you report abuse, staff see who reported it."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR: the municipality's task to inform and involve its "
            "residents; taking part is voluntary."
        ),
        data=_(
            "Your account, the text, picture and place of your proposals, your comments, which "
            "proposals you support, your reports of abuse, and when you did it."
        ),
        recipients=_(
            "The public sees proposals and comments (without your name); staff of the "
            "municipality who run the process see your account."
        ),
        retention=_(
            "As long as the process is kept; when you close your account, your proposals, "
            "comments, supports and reports are deleted with it."
        ),
        models=(
            "participation.Proposal",
            "participation.Support",
            "participation.Comment",
            "participation.AbuseReport",
            "participation.OfficialAnswer",
        ),
    ),
    Activity(
        key="participation.competitions",
        title=_("Competitions and votes"),
        purpose=_(
            "When you send an entry to a competition, we keep it with your account and publish "
            "it with the name you give, as you agreed. When you vote, we keep your votes with "
            "your account so that everyone has only the fixed number of votes."
        ),
        legal_basis=_(
            "Art. 6 (1) (a) GDPR for publishing your entry (your consent), Art. 6 (1) (e) GDPR "
            "for the vote; taking part is voluntary."
        ),
        data=_(
            "Entries: the picture, title, description, the name to publish and when you agreed. "
            "Votes: your account, the entry and the time. The postal code and the trust level "
            "of your login are checked, not stored."
        ),
        recipients=_("Nobody. The results are published as totals; entries with their name."),
        retention=_(
            "When your account is deleted, your votes stay counted under a pseudonym that does "
            "not lead to you, and your entries stay without the link to your account."
        ),
        models=("participation.Entry", "participation.Ballot"),
    ),
)

WITHOUT_PERSONAL_DATA = (
    "participation.Process",
    "participation.Phase",
    "participation.Survey",
    "participation.Question",
    # not linked to a person: no account, no time, a random key (docs/participation.md)
    "participation.Response",
    "participation.Answer",
    "participation.Competition",
    # totals and a hash over pseudonymous votes only
    "participation.ResultRecord",
)

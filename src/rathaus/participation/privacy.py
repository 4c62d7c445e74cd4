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
)

WITHOUT_PERSONAL_DATA = (
    "participation.Process",
    "participation.Phase",
    "participation.Survey",
    "participation.Question",
    # not linked to a person: no account, no time, a random key (docs/participation.md)
    "participation.Response",
    "participation.Answer",
)

"""What the notice board does with personal data (privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="noticeboard.subscriptions",
        title=_("Official notices by e-mail"),
        purpose=_(
            "If you ask for it, we send you an e-mail when a new official notice of the "
            "categories you chose is put up."
        ),
        legal_basis=_("Art. 6 (1) (a) GDPR: your consent, given by confirming the link we send."),
        data=_("Your e-mail address, the categories you chose and when you confirmed them."),
        recipients=_("Nobody: the e-mails are sent by the town's own system."),
        retention=_(
            "Until you end the subscription with the link in every e-mail; addresses that were "
            "never confirmed are deleted after seven days."
        ),
        models=("noticeboard.Subscription", "noticeboard.Delivery"),
    ),
)

WITHOUT_PERSONAL_DATA = (
    # official notices are signed by an office; the name of its head is public by law
    "noticeboard.Notice",
    "noticeboard.NoticeAttachment",
    "noticeboard.DisplayRecord",
    "noticeboard.Screen",
    "noticeboard.Slot",
)

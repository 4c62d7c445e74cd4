from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "rathaus.cases"
    label = "cases"
    verbose_name = _("Submissions and cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rathaus.accounts import gdpr, mailbox
        from rathaus.cases.services import accepts_reply, open_cases_hold, receive_reply
        from rathaus.cases.tasks import follow_submission
        from rathaus.forms.signals import submission_stored

        submission_stored.connect(follow_submission, dispatch_uid="cases.follow_submission")
        gdpr.register_retention_hold(open_cases_hold)
        mailbox.register_reply_handler(mailbox.ReplyHandler(accepts_reply, receive_reply))

        from rathaus.cases import access
        from rathaus.core.files import access as file_access

        file_access.register_owner("cases.Case", access.may_download)

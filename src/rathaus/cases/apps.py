from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "rathaus.cases"
    verbose_name = _("Submissions and cases")

    def ready(self) -> None:
        from rathaus.accounts import gdpr, mailbox
        from rathaus.cases import process_tasks, staff_actions, tasks, timeline
        from rathaus.cases.services import accepts_reply, open_cases_hold, receive_reply
        from rathaus.cases.tasks import follow_submission
        from rathaus.core import taskqueue
        from rathaus.core.service_tasks import service_tasks
        from rathaus.forms.signals import submission_stored

        timeline.register_case_kinds()
        staff_actions.register_built_in()
        from rathaus.cases import register
        from rathaus.cases.signals import case_opened

        register.register_built_in()
        case_opened.connect(register.on_case_opened, dispatch_uid="cases.register_lookup")
        for topic, handler in process_tasks.BUILT_IN.items():
            service_tasks.register(topic, handler)

        submission_stored.connect(follow_submission, dispatch_uid="cases.follow_submission")
        taskqueue.register_reconciler("submissions", tasks.reconcile_submissions)
        taskqueue.register_description(tasks.route_submission.module_path, tasks.describe_routing)
        taskqueue.register_description(tasks.send_receipt.module_path, tasks.describe_receipt)
        gdpr.register_retention_hold(open_cases_hold)
        mailbox.register_reply_handler(mailbox.ReplyHandler(accepts_reply, receive_reply))

        from rathaus.cases import access
        from rathaus.core.files import access as file_access

        file_access.register_owner("cases.Case", access.may_download)

        from rathaus.core import navigation
        from rathaus.core.navigation import StaffNavItem

        inbox = "cases_staff:inbox"
        navigation.register_staff(StaffNavItem("inbox", _("Inbox"), inbox, 10))
        navigation.register_staff(
            StaffNavItem("my-tasks", _("My tasks"), inbox, 20, query="ansicht=aufgaben")
        )

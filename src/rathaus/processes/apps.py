from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "rathaus.processes"
    verbose_name = _("Processes")

    def ready(self) -> None:
        from datetime import timedelta

        from django.db.models.signals import post_migrate

        from rathaus.cases.signals import case_closed, case_message, case_opened
        from rathaus.cases.timeline import EventKind, event_kinds
        from rathaus.core import demo as core_demo
        from rathaus.core import housekeeping

        # Only the receivers here: SpiffWorkflow is imported when a process is first needed,
        # not by every command that starts Django. The service-task handlers that do case work
        # are registered by the cases app (``cases.process_tasks``).
        from rathaus.processes import receivers

        for kind, label in receivers.TIMELINE_KINDS:
            event_kinds.register(
                kind, EventKind(staff_template=f"processes/timeline/{kind}.html"), label=label
            )
        core_demo.register_loader("processes", receivers.load_demo)

        from rathaus.core import navigation

        navigation.register_staff(
            navigation.StaffNavItem("processes", _("Process models"), "processes:models", 70)
        )
        housekeeping.register("processes.timers", receivers.fire_timers, timedelta(minutes=1))
        case_opened.connect(receivers.start_process, dispatch_uid="processes.start")
        case_message.connect(receivers.deliver, dispatch_uid="processes.message")
        case_closed.connect(receivers.cancel, dispatch_uid="processes.cancel")
        post_migrate.connect(
            receivers.install_default, sender=self, dispatch_uid="processes.default"
        )

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "rathaus.documents"
    verbose_name = _("E-file")

    def ready(self) -> None:
        from rathaus.core import housekeeping
        from rathaus.documents import integrity, retention

        housekeeping.register("documents.retention", retention.mark_due, timedelta(days=1))
        housekeeping.register("documents.integrity", integrity.weekly, timedelta(days=7))

        from rathaus.core import navigation

        navigation.register_staff(
            navigation.StaffNavItem("efile", _("E-file"), "documents:files", 25)
        )
        # xdomea exchange with the archive, for heads of unit and administrators (ADR 0045)
        navigation.register_staff(
            navigation.StaffNavItem(
                "xdomea", _("Archive (xdomea)"), "documents:xdomea", 75, navigation.manages
            )
        )
        self._file_cases()

    def _file_cases(self) -> None:
        """Every case gets its file: changes queue the filing task, the reconciliation makes
        up for lost tasks, the citizen's data export lists the documents (ADR 0041)."""
        from django.db.models.signals import post_save

        from rathaus.accounts import gdpr
        from rathaus.accounts.models import Message
        from rathaus.cases import events as case_events
        from rathaus.cases.signals import case_message, case_opened
        from rathaus.core import demo as core_demo
        from rathaus.core import events, taskqueue
        from rathaus.documents import citizen, demo, filing

        case_opened.connect(filing.on_case_changed, dispatch_uid="documents.file_opened_case")
        case_message.connect(filing.on_case_changed, dispatch_uid="documents.file_case_message")
        post_save.connect(
            filing.on_message_saved, sender=Message, dispatch_uid="documents.file_message"
        )
        for event_type in (case_events.CaseDecided, case_events.CaseStatusChanged):
            events.subscribe(event_type, filing.on_case_event, dispatch_uid="documents.file_case")
        taskqueue.register_reconciler("efile", filing.reconcile)
        taskqueue.register_description(filing.file_case.module_path, filing.describe)
        gdpr.register_export_section("efile", citizen.export)
        core_demo.register_loader("documents", demo.load)

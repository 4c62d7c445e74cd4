from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "rathaus.payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from rathaus.core import housekeeping
        from rathaus.payments import services
        from rathaus.payments.providers.base import providers
        from rathaus.payments.providers.invoice import Invoice

        providers.register("invoice", Invoice())
        self._sandbox_ready()
        self._connect_applications()
        housekeeping.register("payments.expire", services.expire_due, timedelta(hours=1))

        from rathaus.accounts import gdpr
        from rathaus.payments import citizen, confirmation
        from rathaus.payments.signals import payment_status_changed

        payment_status_changed.connect(
            confirmation.on_status_changed, dispatch_uid="payments.confirmation"
        )
        gdpr.register_export_section("payments", citizen.export)

        from rathaus.core import taskqueue
        from rathaus.payments import tasks

        taskqueue.register_description(tasks.send_confirmation.module_path, confirmation.describe)

        from rathaus.core import demo as core_demo
        from rathaus.core import navigation
        from rathaus.payments import demo

        # the cash office's pages (ADR 0049): everyone sees the payments of their units' cases
        navigation.register_staff(
            navigation.StaffNavItem("payments", _("Payments"), "payments_staff:list", 30)
        )
        core_demo.register_loader("payments", demo.load)

    def _connect_applications(self) -> None:
        """Fees of applications (ADR 0048): the seams of forms.fees, the signals of forms,
        cases and payments, the service-task topic and the timeline kinds."""
        from rathaus.cases.signals import case_opened
        from rathaus.cases.timeline import EventKind, event_kinds
        from rathaus.core.service_tasks import service_tasks
        from rathaus.forms import fees
        from rathaus.forms.signals import submission_stored
        from rathaus.payments import applications
        from rathaus.payments.signals import payment_status_changed

        fees.seams.price = applications.price
        fees.seams.payment_link = applications.payment_link
        fees.seams.mail_payment_link = applications.mail_payment_link
        submission_stored.connect(
            applications.on_submission_stored, dispatch_uid="payments.submission_fee"
        )
        case_opened.connect(applications.on_case_opened, dispatch_uid="payments.case_opened")
        payment_status_changed.connect(
            applications.on_status_changed, dispatch_uid="payments.nudge_process"
        )
        service_tasks.register("request_payment", applications.request_payment)
        service_tasks.register("refund_payment", applications.refund_payment)
        for kind, label in (
            ("payment_requested", _("Payment requested")),
            ("payment_received", _("Payment received")),
            ("payment_waived", _("Fee waived")),
            ("payment_expired", _("Time to pay is over")),
        ):
            event_kinds.register(
                kind,
                EventKind(
                    staff_template=f"payments/timeline/{kind}.html",
                    public_template=f"payments/timeline/public/{kind}.html",
                ),
                label=label,
            )

    def _sandbox_ready(self) -> None:
        """The payment sandbox's provider and the status queries of pending payments
        (ADR 0047)."""
        from rathaus.core import housekeeping
        from rathaus.payments import polling
        from rathaus.payments.providers.base import providers
        from rathaus.payments.providers.sandbox import Sandbox

        providers.register("sandbox", Sandbox())
        housekeeping.register("payments.poll", polling.poll_pending, timedelta(minutes=3))

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

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

        from rathaus.core import demo as core_demo
        from rathaus.core import navigation
        from rathaus.payments import demo

        # the cash office's pages (ADR 0049): everyone sees the payments of their units' cases
        navigation.register_staff(
            navigation.StaffNavItem("payments", _("Payments"), "payments_staff:list", 30)
        )
        core_demo.register_loader("payments", demo.load)

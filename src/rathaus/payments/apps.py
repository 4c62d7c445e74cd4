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
        self._sandbox_ready()

    def _sandbox_ready(self) -> None:
        from rathaus.core import housekeeping
        from rathaus.payments import polling
        from rathaus.payments.providers.base import providers
        from rathaus.payments.providers.sandbox import Sandbox

        providers.register("sandbox", Sandbox())
        housekeeping.register("payments.poll", polling.poll_pending, timedelta(minutes=3))

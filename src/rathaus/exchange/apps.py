from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "rathaus.exchange"
    verbose_name = _("Exchange with other authorities")

    def ready(self) -> None:
        self._receiving_ready()

    def _receiving_ready(self) -> None:
        """The receiving side (ADR 0052): the case timeline entry of a received submission and
        the forward event when such a case goes to another authority."""
        from rathaus.cases.events import CaseForwarded
        from rathaus.cases.timeline import EventKind, event_kinds
        from rathaus.core import events
        from rathaus.exchange import receiving

        event_kinds.register(
            "exchange_received",
            EventKind(
                staff_template="exchange/timeline/exchange_received.html",
                public_template="exchange/timeline/public/exchange_received.html",
            ),
            label=_("Handed over by another authority"),
        )
        events.subscribe(
            CaseForwarded, receiving.on_case_forwarded, dispatch_uid="exchange.forwarded"
        )

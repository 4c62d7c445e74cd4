"""Submissions exchanged with authorities elsewhere, compatible with FIT-Connect (ADR 0052)."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "rathaus.exchange"
    verbose_name = _("Exchange with other authorities")

    def ready(self) -> None:
        self._receiving_ready()
        self._sending_ready()

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

    def _sending_ready(self) -> None:
        """Sending (ADR 0053): the fitconnect transport, the outbox hook of cases, the worker
        tasks' descriptions and the periodic jobs (retries due, event logs of sent ones)."""
        from rathaus.cases.events import SubmissionQueuedForExchange
        from rathaus.core import events, housekeeping, navigation, taskqueue
        from rathaus.exchange import answers, sending, tasks
        from rathaus.exchange.transports import FitConnectHttp, transports

        transports.register("fitconnect", FitConnectHttp(), label=_("FIT-Connect (HTTP)"))
        events.subscribe(
            SubmissionQueuedForExchange, sending.on_queued, dispatch_uid="exchange.outbox"
        )
        taskqueue.register_description(tasks.send_outgoing.module_path, tasks.describe_send)
        taskqueue.register_description(tasks.poll_events.module_path, tasks.describe_poll)
        housekeeping.register("exchange.retry", sending.requeue_due, timedelta(minutes=1))
        housekeeping.register("exchange.poll", answers.poll_sent, timedelta(minutes=5))
        navigation.register_staff(
            navigation.StaffNavItem(
                "exchange", _("Exchange"), "exchange:outbox", 45, permitted=_sees_outbox
            )
        )


def _sees_outbox(staff: object) -> bool:
    from rathaus.core import roles

    return bool(
        staff.user.is_superuser  # type: ignore[attr-defined]
        or roles.ADMINISTRATOR in staff.role_names  # type: ignore[attr-defined]
    )

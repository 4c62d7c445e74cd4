"""The cash office's daily reconciliation (Tagesabschluss) of one authority (ADR 0049).

A day is a local calendar day. Money is counted once: a request counts as paid on the day of
its ``paid_at``, whatever notifications arrived; money that came in a second time (a double
payment, or a payment after the cancellation) is not counted as paid but appears as a refund
"money not kept". Refunds by staff reduce what the office keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core.models import Authority
from rathaus.payments.models import Notification, PaymentRequest, Refund, StatusChange
from rathaus.payments.receipts import method_words

S = PaymentRequest.Status
ENDED = (S.PAID, S.CANCELLED, S.EXPIRED)


@dataclass(frozen=True)
class Line:
    label: str
    count: int
    cents: int
    provider: str = ""
    method: str = ""


@dataclass
class DailyReport:
    authority: Authority
    day: dt.date
    paid: list[Line] = field(default_factory=list)
    paid_total: Line = Line("", 0, 0)
    other: list[Line] = field(default_factory=list)
    staff_refunds: Line = Line("", 0, 0)
    returned: Line = Line("", 0, 0)
    paid_requests: list[PaymentRequest] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    unmatched: list[Notification] = field(default_factory=list)

    @property
    def kept_cents(self) -> int:
        """What the office keeps of the day: paid, less the refunds by staff."""
        return self.paid_total.cents - self.staff_refunds.cents


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min).replace(tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min).replace(tzinfo=zone)
    return start, end


def _sum(rows: Any) -> tuple[int, int]:
    found = rows.aggregate(count=Count("pk", distinct=True), cents=Sum("amount_cents"))
    return found["count"] or 0, found["cents"] or 0


def provider_label(provider_id: str) -> str:
    from rathaus.payments.providers.base import providers

    try:
        return str(providers.get(provider_id).verbose_name)
    except Exception:
        return provider_id


def daily(authority: Authority, day: dt.date) -> DailyReport:
    start, end = day_bounds(day)
    requests = PaymentRequest.objects.filter(authority=authority)
    report = DailyReport(authority=authority, day=day)
    paid = requests.filter(paid_at__gte=start, paid_at__lt=end)
    for row in (
        paid.values("provider", "payment_method")
        .annotate(count=Count("pk"), cents=Sum("amount_cents"))
        .order_by("provider", "payment_method")
    ):
        report.paid.append(
            Line(
                _("paid"),
                row["count"],
                row["cents"] or 0,
                provider_label(row["provider"]),
                method_words(row["payment_method"]),
            )
        )
    report.paid_total = Line(_("paid"), *_sum(paid))
    for status, label in (
        (S.FAILED, _("failed")),
        (S.CANCELLED, _("cancelled")),
        (S.EXPIRED, _("expired")),
    ):
        changed = StatusChange.objects.filter(
            request__authority=authority, to_status=status, at__gte=start, at__lt=end
        ).values("request")
        report.other.append(Line(label, *_sum(requests.filter(pk__in=changed))))
    ended = StatusChange.objects.filter(
        request__authority=authority, to_status__in=ENDED, at__lt=end
    ).values("request")
    still_open = requests.filter(created_at__lt=end).exclude(pk__in=ended)
    report.other.insert(0, Line(_("open at the end of the day"), *_sum(still_open)))
    refunds = (
        Refund.objects.filter(
            request__authority=authority, created_at__gte=start, created_at__lt=end
        )
        .exclude(status=Refund.Status.FAILED)
        .select_related("request")
        .order_by("created_at", "pk")
    )
    report.refunds = list(refunds)
    report.staff_refunds = Line(
        _("refunded by staff"), *_sum(refunds.filter(reason=Refund.Reason.STAFF))
    )
    report.returned = Line(
        _("money not kept (paid twice or after cancellation), paid back"),
        *_sum(refunds.exclude(reason=Refund.Reason.STAFF)),
    )
    report.paid_requests = list(paid.order_by("paid_at", "kassenzeichen"))
    for request in report.paid_requests:
        request.provider_label = provider_label(request.provider)  # type: ignore[attr-defined]
    report.unmatched = list(unmatched_notifications(authority, start, end))
    return report


def unmatched_notifications(
    authority: Authority, start: dt.datetime, end: dt.datetime
) -> Iterator[Notification]:
    """Notifications of the day that changed nothing because they were rejected or named no
    known payment: those for the authority's requests, and those for no request at all that
    came from a provider the authority uses."""
    used = set(
        PaymentRequest.objects.filter(authority=authority).values_list("provider", flat=True)
    )
    yield from Notification.objects.filter(
        Q(request__authority=authority) | Q(request__isnull=True, provider__in=used),
        outcome__in=[Notification.Outcome.UNKNOWN, Notification.Outcome.REJECTED],
        received_at__gte=start,
        received_at__lt=end,
    ).order_by("received_at", "pk")


def amount(cents: int) -> str:
    """Cents as a spreadsheet amount: 1200 → "12,00" (no thousands separator)."""
    sign = "-" if int(cents) < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{euros},{rest:02d}"


def local_iso(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def csv_rows(report: DailyReport) -> Iterator[list[Any]]:
    """The report as rows for the CSV download."""
    yield [_("Daily reconciliation"), report.authority.name, report.day.isoformat()]
    yield []
    yield [_("Category"), _("Provider"), _("Payment method"), _("Number"), _("Amount (EUR)")]
    for line in report.paid:
        yield [line.label, line.provider, line.method, line.count, amount(line.cents)]
    yield [_("paid, total"), "", "", report.paid_total.count, amount(report.paid_total.cents)]
    for line in (*report.other, report.staff_refunds, report.returned):
        yield [line.label, "", "", line.count, amount(line.cents)]
    yield [_("kept (paid less refunds by staff)"), "", "", "", amount(report.kept_cents)]
    yield []
    yield [
        _("Cash reference"),
        _("Amount (EUR)"),
        _("Paid at"),
        _("Provider"),
        _("Transaction"),
        _("Payment method"),
        _("Payer"),
        _("Purpose"),
    ]
    for request in report.paid_requests:
        yield [
            request.kassenzeichen,
            amount(request.amount_cents),
            local_iso(request.paid_at),
            provider_label(request.provider),
            request.transaction_id,
            method_words(request.payment_method),
            request.payer_name,
            request.purpose,
        ]
    if report.refunds:
        yield []
        yield [
            _("Cash reference"),
            _("Refund (EUR)"),
            _("Created"),
            _("Reason"),
            _("Status"),
            _("Transaction"),
        ]
        for refund in report.refunds:
            yield [
                refund.request.kassenzeichen,
                amount(refund.amount_cents),
                local_iso(refund.created_at),
                refund.get_reason_display(),
                refund.get_status_display(),
                refund.transaction_id,
            ]
    if report.unmatched:
        yield []
        yield [
            _("Notification received"),
            _("Provider"),
            _("Outcome"),
            _("Transaction"),
            _("Reason"),
        ]
        for notification in report.unmatched:
            yield [
                local_iso(notification.received_at),
                notification.provider,
                notification.get_outcome_display(),
                notification.transaction_id,
                notification.reason,
            ]

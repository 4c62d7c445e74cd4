"""The payments of a case on the staff case page: ``{% case_payments case %}`` writes a row of
the case's summary (nothing when the case has no payment request). The case page loads this
library at template level; the cases app does not import payments (ADR 0014, ADR 0049)."""

from __future__ import annotations

from typing import Any

from django import template

from rathaus.payments.models import PaymentRequest

register = template.Library()


@register.inclusion_tag("payments/staff/_case_payments.html")
def case_payments(case: Any) -> dict[str, Any]:
    payments = list(
        PaymentRequest.objects.filter(case=case)
        .order_by("created_at")
        .only("pk", "kassenzeichen", "amount_cents", "status", "purpose")
    )
    return {"payments": payments}

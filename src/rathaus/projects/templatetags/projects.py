"""Money and shares in German notation for the project pages and the council paper."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rathaus.projects import report

register = template.Library()


@register.filter
def euro(cents: int | None) -> str:
    return "–" if cents is None else report.euro(int(cents))


@register.filter
def percent(value: Decimal | float | None) -> str:
    return "–" if value is None else report.percent(value)

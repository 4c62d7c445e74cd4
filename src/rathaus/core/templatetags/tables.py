"""Template tags for the KERN tables of the staff and citizen pages.

``{% table_head _("Form") _("Fee") _("Applications") numeric="2,3" %}`` writes the head row of
a table: one column header per label, and the columns counted in ``numeric`` (from 1) are
right-aligned, for numbers. Every table gets the same markup (scope, KERN classes) from one place.
(A filter on a translated label, ``_("Fee")|numeric``, is not possible: Django's tag parser
reads ``_("…")`` only as a whole argument.)
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def table_head(*labels: object, numeric: str = "") -> SafeString:
    numbers = {int(number) for number in numeric.split(",") if number.strip()}
    if not numbers <= set(range(1, len(labels) + 1)):
        raise template.TemplateSyntaxError(f"table_head: no column {sorted(numbers)} to align")
    cells = format_html_join(
        "",
        '<th scope="col" class="kern-table__header{}">{}</th>',
        (
            (" kern-table__header--numeric" if column in numbers else "", label)
            for column, label in enumerate(labels, start=1)
        ),
    )
    return format_html(
        '<thead class="kern-table__head"><tr class="kern-table__row">{}</tr></thead>', cells
    )

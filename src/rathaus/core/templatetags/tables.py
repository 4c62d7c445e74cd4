"""Template tags for the KERN tables of the staff and citizen pages.

``{% table_head _("Form") _("Fee") _("Applications") numeric="2,3" %}`` writes the head row of
a table: one column header per label, and the columns counted in ``numeric`` (from 1) are
right-aligned, for numbers. Every table gets the same markup (scope, KERN classes) from one place.
(A filter on a translated label, ``_("Fee")|numeric``, is not possible: Django's tag parser
reads ``_("…")`` only as a whole argument.)

``{% kern_table rows labelledby="keys-caption" empty=_("You have no API keys.") %}`` writes a table
of ``rows``, or, when there are none, the sentence ``empty``. Before ``{% rows %}`` stand the
caption and the head, after it the rows (a ``{% for %}`` over ``rows``), up to
``{% endkern_table %}``. The table is a focusable region labelled by the element with the id
``labelledby`` (the caption or the section's heading), so that it scrolls on a narrow screen.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token, token_kwargs
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


class KernTableNode(template.Node):
    def __init__(
        self,
        rows: FilterExpression,
        options: dict[str, FilterExpression],
        head: NodeList,
        body: NodeList,
    ) -> None:
        self.rows, self.options, self.head, self.body = rows, options, head, body

    def render(self, context: template.Context) -> SafeString:
        given: dict[str, Any] = {key: value.resolve(context) for key, value in self.options.items()}
        if not self.rows.resolve(context):
            return format_html('<p class="kern-body">{}</p>', given["empty"])
        return format_html(
            '<div class="kern-table-responsive" role="region" aria-labelledby="{}" tabindex="0">\n'
            '<table class="kern-table">{}'
            '<tbody class="kern-table__body">{}</tbody>\n</table>\n</div>',
            given["labelledby"],
            self.head.render(context),
            self.body.render(context),
        )


@register.tag
def kern_table(parser: Parser, token: Token) -> KernTableNode:
    name, rows, *rest = token.split_contents()
    given = len(rest)
    options = token_kwargs(rest, parser)  # takes what it reads off ``rest``
    if rest or len(options) != given or set(options) != {"labelledby", "empty"}:
        raise template.TemplateSyntaxError(f"{name} takes the rows, labelledby=… and empty=…")
    head = parser.parse(("rows",))
    parser.delete_first_token()
    body = parser.parse(("endkern_table",))
    parser.delete_first_token()
    return KernTableNode(parser.compile_filter(rows), options, head, body)

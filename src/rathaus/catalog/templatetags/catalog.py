from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_LINK = re.compile(r"\[(https?://[^\]\s]+)\]")


@register.filter
def euro(cents: int | None) -> str:
    """Integer cents as a German amount: 1250 → "12,50 €"."""
    if cents is None:
        return ""
    euros, rest = divmod(int(cents), 100)
    grouped = f"{euros:,}".replace(",", ".")
    return f"{grouped},{rest:02d}\u00a0€"


@register.filter
def legal_links(text: str) -> SafeString:
    """The catalogue writes sources as "Law [https://…]"; show them as links."""
    parts = []
    position = 0
    for match in _LINK.finditer(text or ""):
        parts.append(escape(text[position : match.start()]))
        parts.append(
            format_html('(<a class="kern-link" href="{}">{}</a>)', match.group(1), _("source"))
        )
        position = match.end()
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(str(part) for part in parts))

"""Template tags for the head of a page: the breadcrumbs and the heading that repeats the title.

Most pages name themselves three times: in the ``title`` block, as the current item of the
breadcrumbs and in the ``<h1>``. These tags let the ``title`` block say it once.

``{% page_title %}`` writes the text of the page's ``title`` block (the most derived one, rendered
in the current context), for the ``<h1>`` of a page whose heading is its title.

``{% breadcrumbs "staff:home" _("Staff area") list_url _("Offered services") current=offer.name %}``
writes the ``<nav class="breadcrumbs">`` trail: one link per pair of address and label, then the
current page. An address that starts with ``/`` is used as it is (``{% url … as list_url %}`` for
addresses with arguments), any other is the name of a URL without arguments. ``current`` is the
page's ``title`` block unless given; ``current=""`` leaves the current item out.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def page_title(context: template.Context) -> SafeString:
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = blocks.get_block("title") if isinstance(blocks, BlockContext) else None
    if block is None:
        raise template.TemplateSyntaxError("page_title: the template has no title block")
    # Rendered as the block itself, so {{ block.super }} names the parent title; the result is
    # safe text: what it escaped stays escaped, once.
    return mark_safe(block.render(context))


@register.inclusion_tag("core/_breadcrumbs.html", takes_context=True)
def breadcrumbs(context: template.Context, *links: Any, current: Any = None) -> dict[str, Any]:
    if len(links) % 2:
        raise template.TemplateSyntaxError("breadcrumbs: every address needs its label")
    trail = [
        (address if str(address).startswith("/") else reverse(str(address)), label)
        for address, label in zip(links[::2], links[1::2], strict=True)
    ]
    return {"trail": trail, "current": page_title(context) if current is None else current}

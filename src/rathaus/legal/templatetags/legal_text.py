"""Texts staff type in: paragraphs, headings ("## ") and lists ("- "), always escaped."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def text_blocks(value: str, heading_level: int = 2) -> SafeString:
    """Blocks separated by empty lines; nothing the author types becomes markup of its own."""
    parts: list[str] = []
    level = min(max(int(heading_level), 2), 6)
    for block in str(value or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## ") and len(lines) == 1:
            parts.append(f'<h{level} class="kern-heading-small">{escape(lines[0][3:])}</h{level}>')
        elif all(line.startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[2:],) for line in lines))
            parts.append(f'<ul class="kern-list kern-list--bullet">{items}</ul>')
        else:
            text = "<br>".join(escape(line) for line in lines)
            parts.append(f'<p class="kern-body">{text}</p>')
    return mark_safe("\n".join(parts))

"""``{% load efile %}``: the e-file documents a citizen may see, for their case page."""

from __future__ import annotations

from typing import Any

from django import template

from rathaus.documents import citizen

register = template.Library()


@register.simple_tag
def citizen_documents(case: Any) -> list[Any]:
    """``{% citizen_documents case as documents %}``: titles and dates of the documents that
    went between the applicant and the authority in the case's file."""
    if case is None:
        return []
    return citizen.for_case(case)

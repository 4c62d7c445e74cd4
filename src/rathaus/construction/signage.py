"""Current construction sites and closed streets on the screens of the digital notice board
(``core.signage``, ADR 0067): what, which streets, until when, the detour.

The same published sites as the public list (``sites.published``), one query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.construction import sites
from rathaus.core import signage
from rathaus.core.models import Authority

KEY = "construction.sites"
SEVERITY = {"closure": "warning", "detour": "warning"}


def slides(authority: Authority, options: Mapping[str, Any]) -> Sequence[signage.Slide]:
    today = sites.today()
    current = sites.in_state(sites.published(authority), sites.State.CURRENT, today)
    found = []
    for site in current.select_related("locality")[: SOURCE.limit]:
        lines = []
        streets = ", ".join(str(street) for street in site.streets or [])
        if streets:
            place = f"{streets} ({site.locality.name})" if site.locality else streets
            lines.append(place)
        elif site.locality is not None:
            lines.append(site.locality.name)
        lines.append(sites.period_in_words(site, today))
        facts = [signage.Fact(_("Detour"), site.detour)] if site.detour else []
        found.append(
            signage.Slide(
                heading=site.get_kind_display(),
                title=site.title,
                lines=lines,
                facts=facts,
                severity=SEVERITY.get(site.kind, "info"),
                path=reverse("construction:site", args=[site.uid]),
                updated=site.updated_at,
            )
        )
    return found


SOURCE = signage.SignageSource(
    key=KEY,
    label=gettext_lazy("Construction sites: current closures and disruptions"),
    slides=slides,
    description=gettext_lazy("Published construction sites in place today, with their detour."),
    limit=10,
)


def ready() -> None:
    signage.register(SOURCE)

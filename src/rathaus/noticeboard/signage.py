"""The screens' source ``noticeboard.notices``: the official notices on display now
(:mod:`rathaus.core.signage`, ADR 0067).

One slide per notice, newest first: the category as heading, the title, the summary (or the
first lines of the text), until when it is on display and the address of its public page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.signage import Fact, SignageSource, Slide
from rathaus.noticeboard.models import Category, Notice
from rathaus.noticeboard.public import moment_in_words

if TYPE_CHECKING:
    from rathaus.core.models import Authority

KEY = "noticeboard.notices"
LIMIT = 10
TEXT_LINES = 3
LINE_LENGTH = 160


HEADINGS = {
    Category.STATUTES: gettext_lazy("Statutes and ordinances"),
    Category.BUDGET: gettext_lazy("Municipal budget"),
    Category.PLANNING: gettext_lazy("Planning and building"),
    Category.ELECTIONS: gettext_lazy("Elections"),
    Category.GENERAL: gettext_lazy("General notices"),
}
"""The heading of a slide: the category in words a passer-by reads."""


def _first_lines(text: str) -> list[str]:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line][:TEXT_LINES]
    return [line if len(line) <= LINE_LENGTH else line[: LINE_LENGTH - 1] + "…" for line in lines]


def slides(authority: Authority, options: Mapping[str, Any]) -> Sequence[Slide]:
    """The notices of ``authority`` on display now, newest first, at most ``options["limit"]``."""
    try:
        limit = max(1, min(int(options.get("limit", LIMIT)), 50))
    except (TypeError, ValueError):
        limit = LIMIT
    now = timezone.now()
    notices = Notice.objects.filter(
        authority=authority, status=Notice.Status.ON_DISPLAY, display_from__lte=now,
        display_until__gt=now,
    ).order_by("-display_from", "-id")[:limit]  # fmt: skip
    found = []
    for notice in notices:
        # worded as the public pages: an end at midnight is the 24:00 of the day before
        until = moment_in_words(notice.display_until, end=True)
        found.append(
            Slide(
                heading=HEADINGS[Category(notice.category)],
                title=notice.title,
                lines=[notice.summary] if notice.summary else _first_lines(notice.text),
                facts=[Fact(_("on display until"), until)],
                path=f"/bekanntmachungen/{notice.uid}/",
                updated=notice.put_up_at,
            )
        )
    return found


SOURCE = SignageSource(
    key=KEY,
    label=gettext_lazy("Official notices"),
    slides=slides,
    description=gettext_lazy("The official notices on display now, newest first."),
    limit=LIMIT,
)

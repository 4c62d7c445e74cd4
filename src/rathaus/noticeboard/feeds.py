"""The Atom feed of the official notices: ``/bekanntmachungen/feed.atom``, one category with
``?bereich=`` (the slugs of :data:`rathaus.noticeboard.public.SLUGS`; another value is a 400
problem response).

Entries are the notices on display now and those put up in the last :data:`RECENT_DAYS` days
(ended or withdrawn since; the summary says so), newest put up first. The id of an entry is
``urn:uuid:<uid>`` and never changes; ``updated`` is when the notice was put up. The summary
(``type="html"``) is escaped: staff text is never HTML in a feed reader.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.core.models import Authority
from rathaus.core.problems import problem
from rathaus.noticeboard import public
from rathaus.noticeboard.models import Category, Notice
from rathaus.noticeboard.views import authority_or_404

ENTRIES = 50
RECENT_DAYS = 14


class Chosen:
    """The feed's object: the authority and the category (None: all)."""

    def __init__(self, authority: Authority, category: Category | None) -> None:
        self.authority = authority
        self.category = category


class NoticeFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Chosen:
        slug = request.GET.get("bereich", "")
        return Chosen(authority_or_404(request), public.SLUGS.get(slug))

    def title(self, obj: Chosen) -> str:
        if obj.category is not None:
            return _("Official notices: %(category)s – %(name)s") % {
                "category": public.category_label(obj.category), "name": obj.authority.name,
            }  # fmt: skip
        return _("Official notices – %(name)s") % {"name": obj.authority.name}

    def subtitle(self, obj: Chosen) -> str:
        return _("The official notices on display, newest first.")

    def link(self, obj: Chosen) -> str:
        return _with_category(reverse("noticeboard:list"), obj.category)

    def feed_url(self, obj: Chosen) -> str:
        return _with_category(reverse("noticeboard:atom"), obj.category)

    def items(self, obj: Chosen) -> QuerySet[Notice]:
        moment = public.now()
        recent = Q(
            status__in=public.ARCHIVED, put_up_at__gte=moment - datetime.timedelta(days=RECENT_DAYS)
        )
        found = Notice.objects.filter(
            public.displayed_now(moment) | recent, authority=obj.authority
        )
        if obj.category is not None:
            found = found.filter(category=obj.category)
        return found.order_by("-put_up_at", "-id")[:ENTRIES]

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> str:
        state = ""
        if item.status == Notice.Status.WITHDRAWN:
            state = _("Withdrawn: %(reason)s") % {"reason": item.withdrawn_reason}
        elif item.status == Notice.Status.ENDED:
            state = _("Display period ended")
        parts = [
            public.category_label(item.category), public.period_in_words(item), state,
            item.summary,
        ]  # fmt: skip
        return " – ".join(escape(part) for part in parts if part)

    def item_link(self, item: Notice) -> str:
        return reverse("noticeboard:notice", args=[item.uid])

    def item_guid(self, item: Notice) -> str:
        return f"urn:uuid:{item.uid}"

    def item_guid_is_permalink(self, item: Notice) -> bool:
        return False

    def item_pubdate(self, item: Notice) -> Any:
        return item.put_up_at or item.display_from

    def item_updateddate(self, item: Notice) -> Any:
        return item.put_up_at or item.display_from

    def item_categories(self, item: Notice) -> list[str]:
        return [public.category_label(item.category)]


def _with_category(path: str, category: Category | None) -> str:
    return f"{path}?bereich={public.SLUG_OF[category.value]}" if category is not None else path


_feed = NoticeFeed()


@require_safe
def atom(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("bereich", "")
    if slug and slug not in public.SLUGS:
        return problem(request, 400, "Bad category", "bereich: one of " + ", ".join(public.SLUGS))
    return _feed(request)

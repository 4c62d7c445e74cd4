"""Machine-readable construction sites: GeoJSON (the list API), iCalendar and Atom.

Every feed shows only the published sites of the authority of the request.

- ``baustellen.geojson``: a FeatureCollection, current sites first (by start), then planned
  ones (by start), then ended ones (newest end first), filtered like the list (``ort`` =
  village name, ``datum`` = a day, ``zeit`` = aktuell/geplant/beendet) and by
  ``bbox=west,south,east,north``;
  ``limit`` (default 100, at most 1000) and ``seite`` page through it with ``links`` (self,
  next, prev) and ``numberMatched``/``numberReturned`` as in OGC API – Features. A bad filter
  is a 400 problem response.
- ``baustellen.ics``: one all-day VEVENT per site, UID from the site's ``uid``. DTEND is the day
  after the last day (RFC 5545, exclusive). A site until further notice (no end) reaches from
  its first day up to and including today (DTEND = tomorrow as the feed is made; a planned one
  covers its first day), so it never looks like one past day; summary and description say
  "bis auf Weiteres" and SEQUENCE grows each day it grows. The calendar
  is cached until a published site changes and has an ETag (304 for If-None-Match); cache key
  and ETag come from the cleaned filters alone, so unknown parameters (``?x=…``) cannot make
  the server build and store a new calendar for each request.
- ``baustellen.atom``: the newest published sites, ``updated`` = when the site last changed.
  The summary (``type="html"``) is escaped: staff text is never HTML in a feed reader.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Case, Count, F, Max, Q, QuerySet, When
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.construction import sites as site_rules
from rathaus.construction.forms import FilterForm
from rathaus.construction.models import Disruption
from rathaus.construction.views import authority_or_404, filters_from
from rathaus.core.models import Authority
from rathaus.core.problems import problem
from rathaus.core.tenancy import portal_url

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_PAGE = 100_000
ATOM_ENTRIES = 50
ICS_CACHE_SECONDS = 24 * 3600


def site_url(authority: Authority, site: Disruption, base: str | None = None) -> str:
    """The site's page on the authority's portal; ``base`` (the portal's address) saves looking
    it up for every site of a feed."""
    path = reverse("construction:site", args=[site.uid])
    return (base + path) if base is not None else portal_url(authority, path)


def properties(authority: Authority, site: Disruption, base: str | None = None) -> dict[str, Any]:
    return {
        "title": site.title,
        "kind": site.kind,
        "kind_label": site.get_kind_display(),
        "description": site.description,
        "streets": list(site.streets or []),
        "village": site.locality.name if site.locality else None,
        "starts_on": site.starts_on.isoformat(),
        "ends_on": site.ends_on.isoformat() if site.ends_on else None,
        "until_further_notice": site.until_further_notice or site.ends_on is None,
        "detour": site.detour,
        "responsible": site.responsible_body,
        "url": site_url(authority, site, base),
        "updated": site.updated_at.isoformat(),
    }


def _bbox(raw: str) -> tuple[float, float, float, float] | None:
    parts = raw.split(",")
    if len(parts) != 4:
        return None
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        return None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        return None
    if west > east or south > north:
        return None
    return west, south, east, north


def _number(raw: str | None, default: int, largest: int) -> int | None:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 7:
        return None
    value = int(raw)
    return value if 1 <= value <= largest else None


def _filters(request: HttpRequest, authority: Authority) -> site_rules.Filters | HttpResponse:
    """The cleaned filters (``ort``, ``datum``, ``zeit``); other parameters are ignored."""
    form = FilterForm(request.GET or None, authority=authority)
    if form.is_bound and not form.is_valid():
        detail = "; ".join(
            f"{name}: {' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
        )
        return problem(request, 400, "Bad filter", detail)
    return filters_from(form) if form.is_bound else site_rules.Filters()


def _sites(authority: Authority, filters: site_rules.Filters) -> QuerySet[Disruption]:
    sites = site_rules.published(authority).select_related("locality")
    return site_rules.apply(sites, filters, site_rules.today())


def _filtered(request: HttpRequest, authority: Authority) -> QuerySet[Disruption] | HttpResponse:
    filters = _filters(request, authority)
    if isinstance(filters, HttpResponse):
        return filters
    return _sites(authority, filters)


def filter_key(filters: site_rules.Filters) -> str:
    """The filters in one normal form: the same calendar has the same key whatever else (or in
    whatever order or spelling) the address carries."""
    locality = filters.locality.pk if filters.locality is not None else ""
    day = filters.day.isoformat() if filters.day is not None else ""
    state = filters.state.value if filters.state is not None else ""
    return f"ort={locality}&datum={day}&zeit={state}"


@require_safe
def geojson(request: HttpRequest) -> HttpResponse:
    authority = authority_or_404(request)
    found = _filtered(request, authority)
    if isinstance(found, HttpResponse):
        return found
    limit = _number(request.GET.get("limit"), DEFAULT_LIMIT, MAX_LIMIT)
    page = _number(request.GET.get("seite"), 1, MAX_PAGE)
    if limit is None:
        return problem(request, 400, "Bad limit", f"limit: a number from 1 to {MAX_LIMIT}")
    if page is None:
        return problem(request, 400, "Bad page", f"seite: a number from 1 to {MAX_PAGE}")
    bbox = None
    if request.GET.get("bbox"):
        bbox = _bbox(request.GET["bbox"])
        if bbox is None:
            return problem(request, 400, "Bad bbox", "bbox: west,south,east,north in degrees")
    found = _current_first(found, site_rules.today())
    start = (page - 1) * limit
    if bbox is None:
        matched = found.count()
        chosen = list(found[start : start + limit])
    else:  # geometries are JSON: the box is checked here, on the places alone
        places = found.values_list("pk", "geometry").iterator(chunk_size=2000)
        inside = [pk for pk, place in places if site_rules.in_bbox(place, bbox)]
        matched, page_ids = len(inside), inside[start : start + limit]
        by_id = {site.pk: site for site in found.filter(pk__in=page_ids)}
        chosen = [by_id[pk] for pk in page_ids if pk in by_id]
    base = portal_url(authority)
    features = [
        {
            "type": "Feature",
            "id": str(site.uid),
            "geometry": site.geometry,
            "properties": properties(authority, site, base),
        }
        for site in chosen
    ]
    links = [_link(request, authority, "self", page)]
    if start + limit < matched:
        links.append(_link(request, authority, "next", page + 1))
    if page > 1:
        links.append(_link(request, authority, "prev", page - 1))
    body = {
        "type": "FeatureCollection",
        "name": _("Construction sites and disruptions"),
        "timeStamp": timezone.now().isoformat(),
        "numberMatched": matched,
        "numberReturned": len(features),
        "links": links,
        "features": features,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/geo+json; charset=utf-8"
    )
    response["Link"] = ", ".join(f'<{link["href"]}>; rel="{link["rel"]}"' for link in links)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _current_first(found: QuerySet[Disruption], day: date) -> QuerySet[Disruption]:
    """Current sites first (by start), then planned ones (by start), then ended ones (the
    newest end first) — what an app shows first is what is in the way today."""
    ended = Q(ends_on__lt=day)
    return found.annotate(
        rank=Case(When(ended, then=2), When(starts_on__gt=day, then=1), default=0),
        start_key=Case(When(ended, then=None), default=F("starts_on")),
        end_key=Case(When(ended, then=F("ends_on")), default=None),
    ).order_by("rank", "start_key", F("end_key").desc(nulls_last=True), "id")


def _link(request: HttpRequest, authority: Authority, rel: str, page: int) -> dict[str, str]:
    values = {key: value for key, value in request.GET.items() if key != "seite"}
    if page > 1:
        values["seite"] = str(page)
    query = "?" + urlencode(values) if values else ""
    path = reverse("construction:geojson") + query
    return {"rel": rel, "type": "application/geo+json", "href": portal_url(authority, path)}


@require_safe
def icalendar(request: HttpRequest) -> HttpResponse:
    """The calendar, kept in the cache until a published site changes (or the day does):
    calendar apps poll it, and building thousands of events takes seconds. The ETag lets them
    ask with If-None-Match and get a 304."""
    authority = authority_or_404(request)
    filters = _filters(request, authority)
    if isinstance(filters, HttpResponse):
        return filters
    found = _sites(authority, filters)
    state = found.aggregate(newest=Max("updated_at"), count=Count("id"))
    raw = f"{authority.pk}|{filter_key(filters)}|{state}|{site_rules.today()}|{get_language()}"
    key = hashlib.sha256(raw.encode()).hexdigest()
    etag = f'"{key[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    body = cache.get(f"construction:ics:{key}")
    if body is None:
        body = _calendar(authority, found)
        cache.set(f"construction:ics:{key}", body, ICS_CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="baustellen.ics"'
    response["ETag"] = etag
    return response


def _calendar(authority: Authority, found: QuerySet[Disruption]) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//rathaus//Baustellen//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Construction sites – %(name)s") % {"name": authority.name})
    base = portal_url(authority)
    today = site_rules.today()
    for site in found.iterator(chunk_size=500):
        event = Event()
        event.add("uid", f"{site.uid}@baustellen")
        event.add("dtstamp", site.updated_at)
        event.add("last-modified", site.updated_at)
        sequence = int(site.updated_at.timestamp()) // 60
        summary = site.title
        if site.ends_on is None:
            summary = _("%(title)s (until further notice)") % {"title": site.title}
            # open end: the event reaches up to today (or its first day), a new day grows it
            sequence += max((today - site.starts_on).days, 0)
        event.add("sequence", sequence % 2_000_000_000)
        event.add("summary", summary)
        event.add("dtstart", site.starts_on)
        last_day = site.ends_on if site.ends_on is not None else max(today, site.starts_on)
        event.add("dtend", last_day + timedelta(days=1))
        place = ", ".join([*site.streets, site.locality.name if site.locality else ""]).strip(", ")
        if place:
            event.add("location", place)
        text = [site.get_kind_display(), site.description]
        if site.ends_on is None:
            text.insert(1, _("Until further notice: the calendar shows it up to today."))
        if site.detour:
            text.append(_("Detour: %(detour)s") % {"detour": site.detour})
        event.add("description", "\n\n".join(part for part in text if part))
        event.add("url", site_url(authority, site, base))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


class AtomFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Authority:
        return authority_or_404(request)

    def title(self, obj: Authority) -> str:
        return _("Construction sites – %(name)s") % {"name": obj.name}

    def subtitle(self, obj: Authority) -> str:
        return _("Construction sites and traffic disruptions, newest changes first.")

    def link(self, obj: Authority) -> str:
        return reverse("construction:list")

    def feed_url(self, obj: Authority) -> str:
        return reverse("construction:atom")

    def items(self, obj: Authority) -> QuerySet[Disruption]:
        return (
            site_rules.published(obj)
            .select_related("locality")
            .order_by("-updated_at", "-id")[:ATOM_ENTRIES]
        )

    def item_title(self, item: Disruption) -> str:
        return item.title

    def item_description(self, item: Disruption) -> str:
        """Atom's ``<summary type="html">``: feed readers show it as HTML, so every part, all
        of it text typed by staff, is escaped."""
        period = site_rules.period_in_words(item, site_rules.today())
        parts = [item.get_kind_display(), ", ".join(item.streets or []), period, item.description]
        return " – ".join(escape(part) for part in parts if part)

    def item_link(self, item: Disruption) -> str:
        return reverse("construction:site", args=[item.uid])

    def item_guid(self, item: Disruption) -> str:
        return f"urn:uuid:{item.uid}"

    def item_guid_is_permalink(self, item: Disruption) -> bool:
        return False

    def item_pubdate(self, item: Disruption) -> Any:
        return item.published_at or item.created_at

    def item_updateddate(self, item: Disruption) -> Any:
        return item.updated_at


atom = require_safe(AtomFeed())

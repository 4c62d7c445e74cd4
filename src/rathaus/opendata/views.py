"""The public dashboards at /daten/ (ADR 0061): overview, one page per topic, one page per
datastream with chart, table and CSV, and the alert subscription with double opt-in.

Every page works without JavaScript: the chart's data is also a table, the map also a drawing
made on the server and a list. Pages that show a generated demo series say so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import ratelimit
from rathaus.core.spreadsheets import csv_response
from rathaus.core.tenancy import current_authority
from rathaus.opendata import dashboard, display, subscriptions
from rathaus.opendata.dashboard import PERIODS, SLUGS, TOPIC_SLUG, Station
from rathaus.opendata.forms import SubscriptionForm
from rathaus.opendata.models import Datastream, Topic

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 600, 400, 40


def _topic(slug: str) -> Topic:
    if slug not in SLUGS:
        raise Http404("no such dashboard")
    return Topic(SLUGS[slug])


def _topics(stations: list[Station]) -> list[dict[str, Any]]:
    return [
        {
            "slug": slug,
            "label": Topic(topic).label,
            "intro": dashboard.INTROS[Topic(topic)],
            "stations": [station for station in stations if station.datastream.topic == topic],
        }
        for slug, topic in SLUGS.items()
    ]


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    stations = dashboard.stations(current_authority(request))
    alerts = [alert for station in stations for alert in station.alerts]
    return render(
        request,
        "opendata/overview.html",
        {
            "topics": _topics(stations),
            "alerts": alerts,
            "demo": any(station.datastream.demo for station in stations),
            "demo_all": bool(stations) and all(station.datastream.demo for station in stations),
        },
    )


def station_map(stations: list[Station]) -> dict[str, Any]:
    """The stations of a topic as points, for the server-drawn map and for Leaflet."""
    places: dict[int, dict[str, Any]] = {}
    for station in stations:
        location = station.location
        if location is None or location.longitude is None or location.latitude is None:
            continue
        thing = station.datastream.thing
        place = places.setdefault(
            thing.pk,
            {
                "name": display.station_name(thing.name),
                "lon": location.longitude,
                "lat": location.latitude,
                "values": [],
            },
        )
        place["values"].append(
            {
                "label": display.property_name(station.datastream.observed_property.name),
                "value": station.value,
                "unit": station.unit,
                "beyond": station.beyond,
                "url": reverse(
                    "opendata:datastream",
                    args=[TOPIC_SLUG[station.datastream.topic], station.datastream.pk],
                ),
            }
        )
    points = list(places.values())
    if not points:
        return {"points": [], "width": MAP_WIDTH, "height": MAP_HEIGHT}
    west = min(point["lon"] for point in points)
    east = max(point["lon"] for point in points)
    south = min(point["lat"] for point in points)
    north = max(point["lat"] for point in points)
    span_x = max(east - west, 0.01)
    span_y = max(north - south, 0.01)
    inner_w, inner_h = MAP_WIDTH - 2 * MAP_MARGIN, MAP_HEIGHT - 2 * MAP_MARGIN
    for number, point in enumerate(points, start=1):
        point["number"] = number
        point["x"] = round(MAP_MARGIN + (point["lon"] - west) / span_x * inner_w, 1)
        point["y"] = round(MAP_MARGIN + (north - point["lat"]) / span_y * inner_h, 1)
    return {"points": points, "width": MAP_WIDTH, "height": MAP_HEIGHT}


def _map_options(points: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tileUrl": settings.RATHAUS_MAP_TILE_URL,
        "attribution": settings.RATHAUS_MAP_ATTRIBUTION,
        "points": [
            {
                "name": point["name"],
                "number": point["number"],
                "lat": point["lat"],
                "lon": point["lon"],
                "values": [
                    {
                        "label": value["label"],
                        "text": _format_value(value["value"], value["unit"]),
                        "url": value["url"],
                    }
                    for value in point["values"]
                ],
            }
            for point in points
        ],
        "label": _("Interactive map of the stations"),
    }


def _format_value(value: float | None, unit: str) -> str:
    if value is None:
        return _("no value yet")
    from django.utils.formats import number_format

    return f"{number_format(value, decimal_pos=1, use_l10n=True)} {unit}".strip()


@require_safe
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = _topic(slug)
    stations = dashboard.stations(current_authority(request), chosen)
    drawing = station_map(stations)
    return render(
        request,
        "opendata/topic.html",
        {
            "topic": chosen,
            "slug": slug,
            "intro": dashboard.INTROS[chosen],
            "stations": stations,
            "alerts": [alert for station in stations for alert in station.alerts],
            "map": drawing,
            "map_options": _map_options(drawing["points"]),
            "demo": any(station.datastream.demo for station in stations),
            "demo_all": bool(stations) and all(station.datastream.demo for station in stations),
        },
    )


def _datastream(request: HttpRequest, slug: str, pk: int) -> Datastream:
    chosen = _topic(slug)
    found = (
        dashboard.visible_datastreams(current_authority(request))
        .filter(pk=pk, topic=chosen)
        .select_related("thing", "observed_property")
        .first()
    )
    if found is None:
        raise Http404("no such datastream on this dashboard")
    return found


def _period(request: HttpRequest) -> dashboard.Period | None:
    return PERIODS.get(request.GET.get("zeitraum", dashboard.DEFAULT_PERIOD))


@require_safe
def datastream(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _datastream(request, slug, pk)
    period = _period(request)
    if period is None:
        # an unknown period is a mistake in the address: show the day and say so
        period = PERIODS[dashboard.DEFAULT_PERIOD]
        wrong_period = True
    else:
        wrong_period = False
    station = next(
        (row for row in dashboard.stations(current_authority(request), found.topic)
         if row.datastream.pk == found.pk),
        None,
    )  # fmt: skip
    points = dashboard.series(found, period)
    unit = str((found.unit_of_measurement or {}).get("symbol", ""))
    chart = {
        "x": [int(point.time.timestamp()) for point in points],
        "y": [point.value for point in points],
        "unit": unit,
        "name": display.property_name(found.observed_property.name),
        "limit": station.threshold.value if station and station.threshold else None,
        "label": _("Chart of the values of %(name)s") % {"name": display.series_name(found)},
        "limitLabel": _("Limit"),
        "timeLabel": _("Time"),
        "timeZone": timezone.get_current_timezone_name(),
    }
    if period.source != "raw":
        chart["low"] = [point.minimum for point in points]
        chart["high"] = [point.maximum for point in points]
        chart["lowLabel"] = _("Lowest")
        chart["highLabel"] = _("Highest")
    return render(
        request,
        "opendata/datastream.html",
        {
            "slug": slug,
            "topic": Topic(found.topic),
            "datastream": found,
            "station": station,
            "period": period,
            "periods": PERIODS.values(),
            "wrong_period": wrong_period,
            "points": points,
            "aggregated": period.source != "raw",
            "unit": unit,
            "chart": chart,
            "demo": found.demo,
            "demo_all": found.demo,
        },
        status=400 if wrong_period else 200,
    )


@require_safe
def datastream_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _datastream(request, slug, pk)
    period = _period(request)
    if period is None:
        return HttpResponse(
            _("Unknown period. Please use zeitraum=tag, woche or jahr."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    points = dashboard.series(found, period)
    unit = str((found.unit_of_measurement or {}).get("symbol", ""))
    local = timezone.get_current_timezone()
    # German Excel: ";" between cells, decimal commas, "07.12.2026 10:00" in local time
    value = _("Mean") if period.source != "raw" else _("Value")
    header = [
        _("Time (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
        f"{value} ({unit})" if unit else value,
        _("Minimum"),
        _("Maximum"),
        _("Count"),
    ]
    if found.demo:
        header.append(_("Hint"))
    rows: list[list[Any]] = [header]
    for point in points:
        row = [
            point.time.astimezone(local).strftime("%d.%m.%Y %H:%M"),
            _decimal(point.value),
            _decimal(point.minimum),
            _decimal(point.maximum),
            point.count,
        ]
        if found.demo:
            row.append(_("Demo data"))
        rows.append(row)
    response = csv_response(rows)
    name = f"datastream-{found.pk}-{period.slug}{'-demodaten' if found.demo else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _decimal(value: float | None) -> str:
    """A number as German spreadsheets read it: decimal comma, no thousands separator."""
    if value is None:
        return ""
    text = f"{value:.3f}".rstrip("0")
    return (text + "0" if text.endswith(".") else text).replace(".", ",")


@require_http_methods(["GET", "POST"])
@ratelimit.limit(
    "opendata-subscribe", "RATHAUS_ALERT_SUBSCRIBE_LIMIT_PER_HOUR", timedelta(hours=1),
    methods=("POST",),
)  # fmt: skip
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, initial={"topic": request.GET.get("thema", "")})
    if request.method == "POST" and form.is_valid():
        subscriptions.subscribe(
            form.cleaned_data["email"],
            form.cleaned_data["topic"],
            current_authority(request),
            site=request.build_absolute_uri("/"),
        )
        return redirect(reverse("opendata:subscribe_sent"))
    return render(
        request,
        "opendata/subscribe.html",
        {"form": form},
        status=422 if form.is_bound else 200,
    )


@require_safe
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/message.html", {
        "title": _("Please confirm your e-mail address"),
        "text": _(
            "We have sent you an e-mail with a link. Your subscription starts when you open "
            "the link. The link is valid for %(days)s days."
        ) % {"days": subscriptions.CONFIRM_DAYS},
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # A GET only shows a button: mail scanners that open links must not confirm for the reader.
    if request.method == "GET":
        return render(request, "opendata/confirm.html", {})
    subscription = subscriptions.confirm(token)
    if subscription is None:
        return render(request, "opendata/message.html", {
            "title": _("This link is not valid"),
            "text": _("The link is unknown or older than %(days)s days. Please subscribe again.")
            % {"days": subscriptions.CONFIRM_DAYS},
            "again": True,
        }, status=404)  # fmt: skip
    return render(request, "opendata/message.html", {
        "title": _("Your subscription is confirmed"),
        "text": _(
            "We will send you an e-mail when a value is beyond its limit and when it is normal "
            "again. Every e-mail has a link to end the subscription."
        ),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "GET":
        return render(request, "opendata/unsubscribe.html", {})
    if not subscriptions.unsubscribe(code):
        return render(request, "opendata/message.html", {
            "title": _("This link is not valid"),
            "text": _("Please use the link from the latest alert e-mail."),
        }, status=404)  # fmt: skip
    return render(request, "opendata/message.html", {
        "title": _("Your subscription has ended"),
        "text": _("You will receive no more alert e-mails from us."),
        "again": True,
    })  # fmt: skip

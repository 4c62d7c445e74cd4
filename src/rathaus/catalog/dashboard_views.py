"""The OZG dashboard ("Umsetzungsstand"): page, CSV and PDF of an authority's status.

The bar chart is drawn here as plain SVG geometry, so it needs no JavaScript, obeys the
Content Security Policy (presentation attributes, no inline styles) and renders in the PDF too.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.catalog import dashboard
from rathaus.catalog.models import Maturity, Topic
from rathaus.core.models import Authority
from rathaus.core.pdf import render_pdf
from rathaus.core.spreadsheets import formula_safe
from rathaus.core.tenancy import current_authority

# Chart geometry in SVG user units; the SVG scales to the page width through its viewBox.
# Narrow on purpose: on a 320 px phone the labels are still about 12 px high.
CHART_WIDTH = 400
LABEL_HEIGHT = 22
BAR_HEIGHT = 24
ROW_GAP = 14
TOTAL_SPACE = 36  # right of the longest bar, for its total
BADGE_HEIGHT = 18
LABEL_MAX_CHARS = 44


@dataclass(frozen=True)
class LevelStyle:
    """How a maturity level is drawn: a dark fill (white text on it has >= 4.5:1 contrast) and a
    pattern, so that the levels can be told apart without colour, also in black-and-white print.
    """

    level: int
    fill: str
    pattern: str  # solid, dots, slash, backslash, grid


LEVEL_STYLES: tuple[LevelStyle, ...] = (
    LevelStyle(0, "#50566a", "solid"),
    LevelStyle(1, "#a23b12", "dots"),
    LevelStyle(2, "#7a5a00", "slash"),
    LevelStyle(3, "#0b4f9c", "backslash"),
    LevelStyle(4, "#1f6b36", "grid"),
)


@dataclass(frozen=True)
class Segment:
    style: LevelStyle
    count: int
    x: float
    width: float
    centre: float
    badge_x: float
    badge_width: float
    show_count: bool


@dataclass(frozen=True)
class Bar:
    label: str
    label_y: float
    y: float
    badge_y: float
    text_y: float
    segments: tuple[Segment, ...]
    total: int
    total_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_height: int
    badge_height: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class LegendEntry:
    style: LevelStyle
    label: str | Promise


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"


def chart(status: dashboard.Status) -> Chart:
    """Stacked horizontal bars, one per topic, with a segment per maturity level."""
    longest = max((row.total for row in status.rows), default=0) or 1
    scale = (CHART_WIDTH - TOTAL_SPACE) / longest
    pitch = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    bars = []
    for index, row in enumerate(status.rows):
        top = index * pitch
        bar_y = top + LABEL_HEIGHT
        x = 0.0
        segments = []
        for style, count in zip(LEVEL_STYLES, row.counts, strict=True):
            if not count:
                continue
            width = count * scale
            badge_width = 8 + 9 * len(str(count))
            segments.append(
                Segment(
                    style=style,
                    count=count,
                    x=round(x, 2),
                    width=round(width, 2),
                    centre=round(x + width / 2, 2),
                    badge_x=round(x + (width - badge_width) / 2, 2),
                    badge_width=badge_width,
                    show_count=width >= badge_width + 4,
                )
            )
            x += width
        bars.append(
            Bar(
                label=_short(str(row.label)),
                label_y=top + 16,
                y=bar_y,
                badge_y=bar_y + (BAR_HEIGHT - BADGE_HEIGHT) / 2,
                text_y=bar_y + BAR_HEIGHT / 2 + 5,
                segments=tuple(segments),
                total=row.total,
                total_x=round(x + 6, 2),
            )
        )
    height = max(len(bars) * pitch - ROW_GAP, 1)
    return Chart(CHART_WIDTH, height, BAR_HEIGHT, BADGE_HEIGHT, tuple(bars))


def _legend(status: dashboard.Status) -> list[LegendEntry]:
    return [
        LegendEntry(style, summary.label)
        for style, summary in zip(LEVEL_STYLES, status.levels, strict=True)
    ]


def _selected_authority(request: HttpRequest) -> Authority | None:
    """The authority asked for with ``?behoerde=<slug>``, else the request's own authority."""
    slug = request.GET.get("behoerde", "").strip()
    if not slug:
        return current_authority(request)
    found = Authority.objects.filter(slug=slug).first()
    if found is None:
        raise Http404("no authority with this short name")
    return found


def _of_selected_authority(
    view: Callable[[HttpRequest, Authority], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A dashboard view (GET only) of the authority chosen by :func:`_selected_authority`."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        authority = _selected_authority(request)
        if authority is None:
            return render(request, "core/no_authority.html", status=503)
        return view(request, authority)

    return wrapper


def _context(authority: Authority) -> dict[str, Any]:
    status = dashboard.status(authority)
    return {
        "selected": authority,
        "status": status,
        "chart": chart(status),
        "legend": _legend(status),
        "generated_at": timezone.now(),
        "export_query": urlencode({"behoerde": authority.slug}),
        "links": True,
    }


def _level_param(request: HttpRequest) -> int | None:
    text = request.GET.get("stufe", "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) not in dashboard.LEVELS:
        raise Http404("no such maturity level")
    return int(text)


@_of_selected_authority
def services_page(request: HttpRequest, authority: Authority) -> HttpResponse:
    """The services behind one number of the dashboard: of a topic, a level or both."""
    topic = request.GET.get("thema", "").strip()[:100]
    level = _level_param(request)
    elsewhere = request.GET.get("zustaendig", "") == "andere"
    offers = dashboard.services_behind(authority, topic=topic, level=level, elsewhere=elsewhere)
    topic_name = ""
    if topic == dashboard.WITHOUT_TOPIC:
        topic_name = _("without topic")
    elif topic:
        found = Topic.objects.filter(slug=topic).first()
        if found is None:
            raise Http404("no such topic")
        topic_name = found.name
    context = {
        "selected": authority,
        "offers": offers,
        "topic_name": topic_name,
        "level_label": Maturity(level).label if level is not None else "",
        "elsewhere": elsewhere,
        "back_query": urlencode({"behoerde": authority.slug}),
    }
    return render(request, "catalog/dashboard_services.html", context)


def _filename(authority: Authority, generated_at: datetime, extension: str) -> str:
    day = timezone.localdate(generated_at).isoformat()
    return f"ozg-umsetzungsstand-{authority.slug}-{day}.{extension}"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # Slugs are ASCII letters, digits and hyphens, so the name needs no quoting rules.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@_of_selected_authority
def status_page(request: HttpRequest, authority: Authority) -> HttpResponse:
    context = _context(authority)
    context["authorities"] = Authority.objects.only("slug", "name").order_by("name")
    return render(request, "catalog/dashboard.html", context)


def _share(value: float) -> str:
    """A percentage with one decimal in the language's format, rounded like the page does."""
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, 1, use_l10n=True)


_csv_cell = formula_safe


@_of_selected_authority
def status_csv(request: HttpRequest, authority: Authority) -> HttpResponse:
    status = dashboard.status(authority)
    generated_at = timezone.now()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # The byte order mark makes Excel read UTF-8; ";" is the separator German Excel expects.
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Topic"),
            *(_("Level %(level)s") % {"level": level} for level in dashboard.LEVELS),
            _("Total"),
            _("Online (level 3 or 4)"),
            _("Share online (%)"),
        ]
    )
    for row in (*status.rows, status.totals):
        writer.writerow(
            [
                _csv_cell(str(row.label)),
                *row.counts,
                row.total,
                row.online,
                _share(row.online_share),
            ]
        )
    return _attachment(response, _filename(authority, generated_at, "csv"))


@_of_selected_authority
def status_pdf(request: HttpRequest, authority: Authority) -> HttpResponse:
    context = _context(authority)
    context["links"] = False
    pdf = render_pdf("catalog/dashboard_pdf.html", context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    return _attachment(response, _filename(authority, context["generated_at"], "pdf"))

"""The services an authority offers as open data: ``/leistungen/leistungen.csv`` and
``/leistungen/leistungen.json`` (ADR 0064), and their source for the open data catalogue.

One row per offer of the current authority: LeiKa key, name, short description, responsible
unit, OZG maturity level, the page on the portal and the online application, if there is one.
No personal data: the offer's free-text contact (which may name staff) is left out; the unit is
an organisational unit, not a person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from rathaus.catalog import maturity, selectors
from rathaus.catalog.models import Maturity, Offer
from rathaus.core import datasets
from rathaus.core.models import Authority
from rathaus.core.spreadsheets import csv_response
from rathaus.core.tenancy import current_authority, portal_url

SHORT_DESCRIPTION = 300  # characters of the description in the export


def short(text: str) -> str:
    """The first paragraph, cut at a word boundary to at most ``SHORT_DESCRIPTION``."""
    first = " ".join(text.strip().split("\n\n")[0].split())
    if len(first) <= SHORT_DESCRIPTION:
        return first
    return first[: SHORT_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"


def _absolute(base: str, url: str) -> str:
    return base + url if url.startswith("/") else url


def rows(authority: Authority) -> list[dict[str, Any]]:
    offers = list(selectors.offers_of(authority))
    maturity.annotate(offers)
    base = portal_url(authority)
    found = []
    for offer in offers:
        ways = offer.ways
        found.append(
            {
                "leika_key": offer.service.leika_key or "",
                "name": offer.service.name,
                "description": short(offer.description or offer.service.description),
                "responsible_unit": offer.org_unit.name if offer.org_unit else "",
                "maturity": offer.maturity,
                "maturity_label": str(Maturity(offer.maturity).label),
                "url": base + offer.service.get_absolute_url(),
                "online_application": _absolute(base, ways.form_url or ways.external_url),
                "appointment": _absolute(base, ways.appointment_url),
            }
        )
    return found


def _authority(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority on this host")
    return authority


@require_safe
def services_csv(request: HttpRequest) -> HttpResponse:
    authority = _authority(request)
    header = [
        gettext("LeiKa key"),
        gettext("Service"),
        gettext("Short description"),
        gettext("Responsible unit"),
        gettext("OZG maturity level"),
        gettext("Page on the portal"),
        gettext("Apply online"),
        gettext("Book an appointment"),
    ]
    table: list[list[Any]] = [header]
    for row in rows(authority):
        table.append(
            [
                row["leika_key"],
                row["name"],
                row["description"],
                row["responsible_unit"],
                row["maturity"],
                row["url"],
                row["online_application"],
                row["appointment"],
            ]
        )
    response = csv_response(table)
    response["Content-Disposition"] = f'attachment; filename="leistungen-{authority.slug}.csv"'
    return response


@require_safe
def services_json(request: HttpRequest) -> JsonResponse:
    authority = _authority(request)
    return JsonResponse(
        {
            "authority": {"name": authority.name, "ags": authority.ags},
            "generated_at": timezone.now().isoformat(),
            "licence": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            "services": rows(authority),
        },
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


def _modified(authority: Authority) -> datetime | None:
    newest: datetime | None = Offer.objects.filter(authority=authority).aggregate(
        newest=Max("updated_at")
    )["newest"]
    return newest


def _distributions(authority: Authority) -> list[datasets.SourceDistribution]:
    return [
        datasets.SourceDistribution(
            gettext("Services as CSV"), "/leistungen/leistungen.csv", "text/csv", "CSV",
            gettext("One row per service, “;” separated, for spreadsheet programs."),
        ),
        datasets.SourceDistribution(
            gettext("Services as JSON"), "/leistungen/leistungen.json", "application/json",
            "JSON", gettext("The same list as JSON, for programs."),
        ),
    ]  # fmt: skip


def register() -> None:
    datasets.register(
        datasets.DatasetSource(
            key="catalog.services",
            title=_("Services of the town hall"),
            description=_(
                "The services the authority offers, with their key in the German service "
                "catalogue (LeiKa), a short description, the responsible unit, the OZG maturity "
                "level and the links to apply online or to book an appointment."
            ),
            themes=("GOVE",),
            keywords=(_("services"), "LeiKa", "OZG", _("administration")),
            frequency="IRREG",
            distributions=_distributions,
            modified=_modified,
            applies=lambda authority: Offer.objects.filter(authority=authority).exists(),
            slug="leistungen",
            landing_path="/leistungen/",
        )
    )

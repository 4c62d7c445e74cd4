"""The catalogue part of the Barleben demo: catalogue sample, synonyms, offers, responsibilities."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rathaus.catalog import services
from rathaus.catalog.importer import SAMPLE, import_catalog
from rathaus.catalog.models import Offer, OzgService, Responsibility, Service
from rathaus.core import geo
from rathaus.core.demo import Tally
from rathaus.core.models import Authority, OrgUnit, PostalPlace

DATA = Path(__file__).parent / "data"

# OZG services the Landkreis Börde handles for all its municipalities, with the unit if known.
LANDKREIS_OZG = {
    "10142": "versammlungsbehoerde",  # Versammlungsanzeige
    "10151": None,  # Waffenerlaubnis
    "10152": None,  # Waffenerwerbsanzeige
    "10154": None,  # Waffenüberlassungs-, -verlust- und -inbesitznahmeanzeige
    "10459": None,  # Zulassungsbescheinigung (vehicle registration)
    "10426": None,  # Fahrzeugregistereintragung und -auskunft
    "10169": None,  # Führerschein
}


def load(tally: Tally) -> None:
    if not PostalPlace.objects.exists():
        report = geo.load_postal_codes()
        tally["PostalPlace: created"] += report.created
    imported = import_catalog(SAMPLE.read_bytes())
    tally["Service: created"] += imported.created
    tally["Service: updated"] += imported.updated
    tally["Service: unchanged"] += imported.unchanged
    _load_synonyms(tally)
    _load_offers(tally)
    _load_responsibilities(tally)


def _load_synonyms(tally: Tally) -> None:
    rows = csv.DictReader(io.StringIO((DATA / "synonyms.csv").read_text("utf-8"), newline=""))
    ids = dict(Service.objects.filter(leika_key__isnull=False).values_list("leika_key", "pk"))
    wanted = {
        ids[row["leika_key"]]: row["synonyms"].split("|") for row in rows if row["leika_key"] in ids
    }
    changed = services.set_synonyms_many(wanted)
    tally["synonyms: updated"] += changed
    tally["synonyms: unchanged"] += len(wanted) - changed


def _load_offers(tally: Tally) -> None:
    authorities = Authority.objects.in_bulk(field_name="slug")
    for spec in json.loads((DATA / "offers.json").read_text("utf-8")):
        authority = authorities[spec["authority"]]
        service = Service.objects.filter(leika_key=spec["leika_key"]).first()
        if service is None:
            continue
        values = {
            "org_unit": OrgUnit.objects.get(authority=authority, slug=spec["org_unit"]),
            "description": spec["description"],
            "required_documents": "\n".join(spec["required_documents"]),
            "fee_cents": spec["fee_cents"],
            "fee_text": spec["fee_text"],
            "processing_time": spec["processing_time"],
            "legal_basis": spec["legal_basis"],
            "general_request": spec.get("general_request", False),
        }
        _offer, outcome = services.save_offer(authority, service, values)
        tally[f"Offer: {'updated' if outcome == 'changed' else outcome}"] += 1


def _load_responsibilities(tally: Tally) -> None:
    barleben = Authority.objects.get(slug="barleben")
    landkreis = Authority.objects.get(slug="landkreis-boerde")
    # The municipality handles the OZG services it offers, for its own area.
    for offer in Offer.objects.filter(authority=barleben).select_related("service", "org_unit"):
        if offer.service.ozg_service_id is None:
            continue
        tally.upsert(
            Responsibility,
            {"ozg_service_id": offer.service.ozg_service_id, "ars_prefix": barleben.ars,
             "authority": barleben},
            {"org_unit": offer.org_unit},
        )  # fmt: skip
    ozg = OzgService.objects.in_bulk(list(LANDKREIS_OZG), field_name="ozg_id")
    for ozg_id, unit_slug in LANDKREIS_OZG.items():
        if ozg_id not in ozg:
            continue
        unit = OrgUnit.objects.get(authority=landkreis, slug=unit_slug) if unit_slug else None
        tally.upsert(
            Responsibility,
            {"ozg_service": ozg[ozg_id], "ars_prefix": landkreis.ars[:5], "authority": landkreis},
            {"org_unit": unit},
        )

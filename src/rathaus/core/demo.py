"""The Barleben demo: Gemeinde Barleben, its villages and offices, Landkreis Börde, demo staff.

Every step is an upsert keyed by a natural key, so loading twice changes nothing. Demo staff
passwords and TOTP secrets are public by design; the command refuses to run in production mode.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core import audit, keys, roles
from rathaus.core.models import Authority, AuthorityHost, Locality, Membership, OrgUnit

DEMO_PASSWORD = "Barleben-Demo-2026"  # noqa: S105 (public by design, demo only)

M = TypeVar("M", bound=models.Model)


class Tally(Counter[str]):
    def upsert(self, model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
        """Create or update one row; counts created/updated/unchanged by model name."""
        name = model.__name__
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model._default_manager.create(**lookup, **values)
            self[f"{name}: created"] += 1
            return obj
        changed = [field for field, value in values.items() if getattr(obj, field) != value]
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            obj.save(update_fields=changed)
            self[f"{name}: updated"] += 1
        else:
            self[f"{name}: unchanged"] += 1
        return obj

    @property
    def changed(self) -> bool:
        return any(count for key, count in self.items() if not key.endswith("unchanged"))


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    authority: str
    unit: str
    role: str
    superuser: bool = False

    @property
    def totp_key_hex(self) -> str:
        return hashlib.sha1(f"rathaus-demo:{self.username}".encode()).hexdigest()  # noqa: S324

    @property
    def totp_secret(self) -> str:
        return base64.b32encode(bytes.fromhex(self.totp_key_hex)).decode()


BARLEBEN_AGS = "15083040"
BOERDE_AGS = "15083"

AUTHORITIES: list[dict[str, Any]] = [
    {
        "slug": "landkreis-boerde",
        "name": "Landkreis Börde",
        "kind": Authority.Kind.LANDKREIS,
        "ags": BOERDE_AGS,
        "ars": keys.ars_for_area(BOERDE_AGS),
        "parent": None,
        "street": "Gerikestraße 104",
        "postal_code": "39340",
        "city": "Haldensleben",
        "email": "poststelle@landkreis-boerde.example",
        "sender_email": "noreply@landkreis-boerde.example",
        "phone": "03904 7240-0",
        "website": "https://www.landkreis-boerde.de",
        "reference_prefix": "BK",
        "hosts": ["boerde.localhost"],
    },
    {
        "slug": "barleben",
        "name": "Gemeinde Barleben",
        "kind": Authority.Kind.GEMEINDE,
        "ags": BARLEBEN_AGS,
        "ars": keys.ars_for_einheitsgemeinde(BARLEBEN_AGS),
        "parent": "landkreis-boerde",
        "street": "Ernst-Thälmann-Straße 22",
        "postal_code": "39179",
        "city": "Barleben",
        "email": "info@barleben.example",
        "sender_email": "buergerbuero@barleben.example",
        "phone": "039203 565-0",
        "website": "https://www.barleben.de",
        "reference_prefix": "BAR",
        "hosts": ["barleben.localhost"],
    },
]

LOCALITIES = [
    ("barleben", "Barleben", "39179"),
    ("barleben", "Ebendorf", "39179"),
    ("barleben", "Meitzendorf", "39326"),
]

TOWN_HALL_HOURS = (
    "Montag 9–12 Uhr\nDienstag 9–12 und 13–18 Uhr\nDonnerstag 9–12 und 13–16 Uhr\nFreitag 9–12 Uhr"
)

UNITS: list[dict[str, Any]] = [
    {
        "authority": "barleben",
        "slug": "buergerbuero",
        "file_plan_code": "33.10",
        "position": 10,
        "parent": None,
        "name": "Bürgerbüro / Einwohnermeldeamt",
        "description": "Personalausweis und Reisepass, An- und Ummeldung, Meldebescheinigungen, "
        "Führungszeugnisse.",
        "street": "Ernst-Thälmann-Straße 22",
        "postal_code": "39179",
        "city": "Barleben",
        "room": "Erdgeschoss",
        "email": "buergerbuero@barleben.example",
        "phone": "039203 565-100",
        "opening_hours": TOWN_HALL_HOURS,
    },
    {
        "authority": "barleben",
        "slug": "standesamt",
        "file_plan_code": "34.10",
        "position": 20,
        "parent": None,
        "name": "Standesamt",
        "description": "Geburten, Eheschließungen, Sterbefälle und Urkunden aus den "
        "Personenstandsregistern.",
        "street": "Ernst-Thälmann-Straße 22",
        "postal_code": "39179",
        "city": "Barleben",
        "room": "1. Obergeschoss",
        "email": "standesamt@barleben.example",
        "phone": "039203 565-120",
        "opening_hours": TOWN_HALL_HOURS,
    },
    {
        "authority": "barleben",
        "slug": "ordnungsamt",
        "file_plan_code": "32.10",
        "position": 30,
        "parent": None,
        "name": "Ordnungsamt",
        "description": "Gewerbeangelegenheiten, Hundesteuer und -anmeldung, Sondernutzungen, "
        "Veranstaltungen und öffentliche Sicherheit.",
        "street": "Ernst-Thälmann-Straße 22",
        "postal_code": "39179",
        "city": "Barleben",
        "room": "1. Obergeschoss",
        "email": "ordnungsamt@barleben.example",
        "phone": "039203 565-130",
        "opening_hours": TOWN_HALL_HOURS,
    },
    {
        "authority": "barleben",
        "slug": "bauamt",
        "file_plan_code": "63.10",
        "position": 40,
        "parent": None,
        "name": "Bauamt",
        "description": "Bauleitplanung, gemeindliches Einvernehmen, Straßen und Grünflächen.",
        "street": "Ernst-Thälmann-Straße 22",
        "postal_code": "39179",
        "city": "Barleben",
        "room": "2. Obergeschoss",
        "email": "bauamt@barleben.example",
        "phone": "039203 565-140",
        "opening_hours": TOWN_HALL_HOURS,
    },
    {
        "authority": "barleben",
        "slug": "digitales",
        "file_plan_code": "10.40",
        "position": 50,
        "parent": None,
        "name": "Bereich Digitales",
        "description": "Digitalstrategie, Smart City und Onlinezugangsgesetz.",
        "street": "Ernst-Thälmann-Straße 22",
        "postal_code": "39179",
        "city": "Barleben",
        "room": "",
        "email": "digitales@barleben.example",
        "phone": "039203 565-150",
        "opening_hours": "",
    },
    {
        "authority": "barleben",
        "slug": "digitalwerkstatt",
        "file_plan_code": "10.41",
        "position": 60,
        "parent": "digitales",
        "name": "Digitalwerkstatt Villa 147",
        "description": "Digitalisierungszentrum der Gemeinde: Workshops, Smartphone-Kurse für "
        "Seniorinnen und Senioren, Ausstellung digitaler Anwendungen.",
        "street": "Breiteweg 147",
        "postal_code": "39179",
        "city": "Barleben",
        "room": "1. Etage (Festsaal)",
        "email": "digitalwerkstatt@barleben.example",
        "phone": "039203 565-155",
        "opening_hours": "Offene Sprechzeit für alle: Dienstag und Donnerstag 15–18 Uhr",
    },
    {
        "authority": "landkreis-boerde",
        "slug": "versammlungsbehoerde",
        "file_plan_code": "32.30",
        "position": 70,
        "parent": None,
        "name": "Versammlungsbehörde",
        "description": "Anzeigen von Versammlungen unter freiem Himmel und Aufzügen im "
        "Landkreis Börde.",
        "street": "Gerikestraße 104",
        "postal_code": "39340",
        "city": "Haldensleben",
        "room": "",
        "email": "versammlungsbehoerde@landkreis-boerde.example",
        "phone": "03904 7240-300",
        "opening_hours": "Montag bis Freitag 8–12 Uhr",
    },
]

STAFF = [
    DemoStaff("buergerbuero", "Erika", "Mustermann", "barleben", "buergerbuero", roles.CLERK),
    DemoStaff("standesamt", "Max", "Mustermann", "barleben", "standesamt", roles.CLERK),
    DemoStaff("ordnungsamt", "Lena", "Beispiel", "barleben", "ordnungsamt", roles.HEAD),
    DemoStaff("bauamt", "Jonas", "Probe", "barleben", "bauamt", roles.CLERK),
    DemoStaff(
        "digitales", "Mia", "Muster", "barleben", "digitales", roles.ADMINISTRATOR, superuser=True
    ),
    DemoStaff("digitalwerkstatt", "Tom", "Beispiel", "barleben", "digitalwerkstatt", roles.CLERK),
    DemoStaff(
        "versammlung", "Paul", "Exempel", "landkreis-boerde", "versammlungsbehoerde", roles.CLERK
    ),
]


DemoLoader = Callable[[Tally], None]
_extra_loaders: dict[str, DemoLoader] = {}
_last_loaders: dict[str, DemoLoader] = {}


login_notes: list[str] = []


def register_loader(name: str, loader: DemoLoader, *, last: bool = False) -> None:
    """Apps add their part of the demo; it runs after authorities, units and staff exist.
    ``last``: after every other loader (e.g. to list in the open data catalogue what they made)."""
    (_last_loaders if last else _extra_loaders)[name] = loader


@dataclass
class StaffLogin:
    staff: DemoStaff
    password_is_demo: bool


# No licence-clean logo of Barleben is available, so the demo shows a plain wordmark that
# rathaus draws itself; a town uploads its own logo in the admin.
WORDMARK = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="56" viewBox="0 0 56 56">'
    '<rect width="56" height="56" rx="8" fill="#0b4b8c"/>'
    '<text x="28" y="39" text-anchor="middle" font-family="Fira Sans, Arial, sans-serif" '
    'font-size="30" font-weight="700" fill="#ffffff">B</text></svg>'
)


def _add_wordmark(authority: Authority) -> None:
    from rathaus.core import files

    authority.logo = files.store_bytes(
        WORDMARK.encode(), name="barleben-wortmarke.svg", media_type="image/svg+xml"
    )
    authority.logo_alt = "Wortmarke „B“ der Gemeinde Barleben (Demo)"
    authority.save(update_fields=["logo", "logo_alt"])


def load() -> tuple[Tally, list[StaffLogin]]:
    tally = Tally()
    with transaction.atomic():
        authorities: dict[str, Authority] = {}
        for spec in AUTHORITIES:
            values = {k: v for k, v in spec.items() if k not in {"slug", "hosts", "parent"}}
            values["parent"] = authorities[spec["parent"]] if spec["parent"] else None
            authority = tally.upsert(Authority, {"slug": spec["slug"]}, values)
            authorities[spec["slug"]] = authority
            if authority.logo_id is None and spec["slug"] == "barleben":
                _add_wordmark(authority)
            for hostname in spec["hosts"]:
                tally.upsert(AuthorityHost, {"hostname": hostname}, {"authority": authority})
        for slug, name, postal_code in LOCALITIES:
            tally.upsert(
                Locality,
                {"authority": authorities[slug], "name": name},
                {"postal_code": postal_code},
            )
        units: dict[str, OrgUnit] = {}
        for spec in UNITS:
            authority = authorities[spec["authority"]]
            values = {k: v for k, v in spec.items() if k not in {"authority", "slug", "parent"}}
            values["parent"] = units[spec["parent"]] if spec["parent"] else None
            units[spec["slug"]] = tally.upsert(
                OrgUnit, {"authority": authority, "slug": spec["slug"]}, values
            )
        logins = [_load_staff(tally, staff, units) for staff in STAFF]
        for loader in (*_extra_loaders.values(), *_last_loaders.values()):
            loader(tally)
        if tally.changed:
            audit.record(
                "demo.loaded",
                actor_name="system",
                authority=authorities["barleben"],
                details=dict(tally),
            )
    return tally, logins


def _load_staff(tally: Tally, staff: DemoStaff, units: dict[str, OrgUnit]) -> StaffLogin:
    user_model = get_user_model()
    existing = user_model.objects.filter(username=staff.username).first()
    user: AbstractUser = tally.upsert(
        user_model,
        {"username": staff.username},
        {
            "first_name": staff.first_name,
            "last_name": staff.last_name,
            "email": f"{staff.username}@{staff.authority}.example",
            "is_staff": True,
            "is_superuser": staff.superuser,
            "is_active": True,
        },
    )
    if existing is None:
        # Passwords are set once; a demo user who changed theirs keeps the new one.
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    tally.upsert(
        TOTPDevice,
        {"user": user, "name": "Demo-Authenticator"},
        {"key": staff.totp_key_hex, "confirmed": True},
    )
    tally.upsert(
        Membership,
        {"user": user, "org_unit": units[staff.unit], "role": roles.role(staff.role)},
        {},
    )
    return StaffLogin(staff, password_is_demo=user.check_password(DEMO_PASSWORD))

"""The population register behind the Meldebescheinigung, as a plugin (ADR 0029).

A certificate of registration states what the register says, not what the applicant typed. For
the forms in :data:`REGISTER_FORMS` the case needs a :class:`~rathaus.cases.models.RegisterRecord`
before the decision can be made. When the case opens, the lookup chosen by
``RATHAUS_REGISTER_LOOKUP`` is asked:

- ``staff`` (the default) finds nothing: the clerk checks the register in the municipality's
  register software and confirms or corrects the data on the case page (the staff task);
- ``extract`` reads a register extract file (``RATHAUS_REGISTER_EXTRACT``, JSON) for the demo and
  tests and confirms the data when the person is found; otherwise the staff task remains.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from rathaus.cases.models import Case, RegisterRecord
from rathaus.core.plugins import Registry

REGISTER_FORMS = frozenset({"meldebescheinigung"})
DEMO_EXTRACT = Path(__file__).parent / "data" / "register-extract-demo.json"


@dataclass(frozen=True)
class Person:
    """What the register holds for one person (and what the applicant asked about)."""

    first_name: str
    family_name: str
    date_of_birth: datetime.date | None
    street: str = ""
    postal_code: str = ""
    place: str = ""
    moved_in_on: datetime.date | None = None


class RegisterLookup(Protocol):
    def find(self, person: Person) -> Person | None:
        """The register's entry for the person, or None if it is not found here."""


register_lookups: Registry[RegisterLookup] = Registry(
    "register lookup", setting="RATHAUS_REGISTER_LOOKUP"
)


class StaffCheck:
    """Finds nothing: the clerk checks the register and confirms the data (the staff task)."""

    verbose_name = _("The clerk checks the register and confirms the data")

    def find(self, person: Person) -> Person | None:
        return None


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


class ExtractFile:
    """Looks the person up in a register extract: a JSON list of entries with ``first_name``,
    ``family_name``, ``date_of_birth``, ``street``, ``postal_code``, ``place`` and
    ``moved_in_on`` (dates as YYYY-MM-DD), at ``RATHAUS_REGISTER_EXTRACT``."""

    verbose_name = _("Register extract file (demo and tests)")

    def find(self, person: Person) -> Person | None:
        path = settings.RATHAUS_REGISTER_EXTRACT
        if not path or person.date_of_birth is None:
            return None
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            if (
                _key(str(entry.get("family_name", ""))) == _key(person.family_name)
                and _key(str(entry.get("first_name", ""))) == _key(person.first_name)
                and parse_date(str(entry.get("date_of_birth", ""))) == person.date_of_birth
            ):
                return Person(
                    first_name=str(entry["first_name"]),
                    family_name=str(entry["family_name"]),
                    date_of_birth=person.date_of_birth,
                    street=str(entry.get("street", "")),
                    postal_code=str(entry.get("postal_code", "")),
                    place=str(entry.get("place", "")),
                    moved_in_on=parse_date(str(entry.get("moved_in_on", ""))),
                )
        return None


def register_built_in() -> None:
    register_lookups.register("staff", StaffCheck(), label=StaffCheck.verbose_name)
    register_lookups.register("extract", ExtractFile(), label=ExtractFile.verbose_name)


def needs_register(case: Case) -> bool:
    """Does the case's letter print register data (a Meldebescheinigung)?"""
    submission = case.submission
    return submission is not None and submission.form_version.definition.slug in REGISTER_FORMS


def applicant(case: Case) -> Person:
    """The person as the application names them: what the clerk looks up."""
    data: dict[str, Any] = {}
    if case.submission is not None and isinstance(case.submission.data, dict):
        data = case.submission.data
    raw_address = data.get("address")
    address: dict[str, Any] = raw_address if isinstance(raw_address, dict) else {}
    born = data.get("date_of_birth")
    return Person(
        first_name=str(data.get("first_name", "")),
        family_name=str(data.get("family_name", "")),
        date_of_birth=parse_date(born) if isinstance(born, str) else None,
        street=str(address.get("street", "")),
        postal_code=str(address.get("postal_code", "")),
        place=str(address.get("place", "")),
    )


def confirmed(case: Case) -> RegisterRecord | None:
    return RegisterRecord.objects.filter(case=case).first()


def save(case: Case, person: Person, *, user: Any, source: str) -> RegisterRecord:
    """Store the confirmed data (replacing earlier data) and note it in the timeline."""
    from rathaus.cases.services import record_event

    if person.date_of_birth is None or person.moved_in_on is None:
        raise ValueError("the register data needs the date of birth and the move-in date")
    record, _created = RegisterRecord.objects.update_or_create(
        case=case,
        defaults={
            "first_name": person.first_name, "family_name": person.family_name,
            "date_of_birth": person.date_of_birth, "street": person.street,
            "postal_code": person.postal_code, "place": person.place,
            "moved_in_on": person.moved_in_on, "source": source,
            "confirmed_at": timezone.now(), "confirmed_by": user,
        },
    )  # fmt: skip
    record_event(case, "register_confirmed", user=user, new=str(source))
    return record


def look_up(case: Case) -> RegisterRecord | None:
    """Ask the configured lookup; store what it finds. None leaves the staff task open."""
    if not needs_register(case) or confirmed(case) is not None:
        return confirmed(case)
    found = register_lookups.get(settings.RATHAUS_REGISTER_LOOKUP).find(applicant(case))
    if found is None or found.date_of_birth is None or found.moved_in_on is None:
        return None
    return save(case, found, user=None, source=RegisterRecord.Source.EXTRACT)


def on_case_opened(sender: Any, case: Case, **kwargs: Any) -> None:
    look_up(case)


# Purposes for which the certificate is free (the form's fee text: pension, housing benefit and
# social benefits).
FREE_PURPOSES = frozenset({"pension", "benefits"})


@dataclass(frozen=True)
class Certificate:
    """What the letter says about the order: copies and the fee for all of them."""

    copies: int
    fee_each_cents: int | None
    fee_cents: int | None
    free: bool


def certificate(case: Case) -> Certificate:
    data: dict[str, Any] = {}
    if case.submission is not None and isinstance(case.submission.data, dict):
        data = case.submission.data
    copies = data.get("copies")
    count = copies if isinstance(copies, int) and not isinstance(copies, bool) and copies > 0 else 1
    each = case.submission.form_version.fee_cents if case.submission is not None else None
    free = data.get("purpose") in FREE_PURPOSES
    total = 0 if free else (each * count if each is not None else None)
    return Certificate(copies=count, fee_each_cents=each, fee_cents=total, free=free)

"""``rathaus exchange-own``: our destinations (``add``, ``list``) and who may send (``sender``)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.core.models import Authority, OrgUnit
from rathaus.exchange import receiving
from rathaus.exchange.models import OwnDestination

_LEIKA = re.compile(r"\d{14}")
_ARS = re.compile(r"\d{1,12}")


def _choices(names: list[str]) -> str:
    return ", ".join(names) if names else "(none)"


class Command(BaseCommand):
    help = (
        "Our exchange destinations and senders. `add` makes a destination for an authority "
        "(and unit) here and prints its id; `list` shows them; `sender --name N` allows a "
        "sender and prints its token once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        add = commands.add_parser("add", help="add a destination of ours")
        add.add_argument("--authority", required=True, help="the authority's slug")
        add.add_argument("--unit", help="the unit's slug (default: the authority's rules decide)")
        add.add_argument("--leika", nargs="+", required=True, help="LeiKa keys (14 digits)")
        add.add_argument("--ars", nargs="+", required=True, help="regional keys (prefixes)")
        add.add_argument("--destination-id", type=uuid.UUID, help="a given id (default: new)")
        add.add_argument("--name", help="the name senders see (default: unit or authority)")
        commands.add_parser("list", help="list our destinations")
        sender = commands.add_parser("sender", help="allow a sender; prints its token once")
        sender.add_argument("--name", required=True, help="who sends, e.g. Gemeinde Barleben")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            for found in OwnDestination.objects.select_related("authority", "org_unit"):
                state = "active" if found.active else "inactive"
                self.stdout.write(
                    f"{found.destination_id}  {found.name}  {found.authority.slug}  "
                    f"{','.join(found.leika_keys)}  {','.join(found.areas)}  {state}"
                )
        else:
            created, token = receiving.create_sender(options["name"])
            self.stdout.write(token)
            self.stderr.write(
                f"Sender {created.name!r} may send now. Give it this token; it is not shown again."
            )

    def _add(self, options: dict[str, Any]) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            slugs = list(Authority.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"There is no authority {options['authority']!r}; choose one of: {_choices(slugs)}"
            )
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(authority=authority, slug=options["unit"]).first()
            if unit is None:
                slugs = list(
                    OrgUnit.objects.filter(authority=authority)
                    .order_by("slug")
                    .values_list("slug", flat=True)
                )
                raise CommandError(
                    f"{authority.slug} has no unit {options['unit']!r}; "
                    f"choose one of: {_choices(slugs)}"
                )
        bad = [key for key in options["leika"] if not _LEIKA.fullmatch(key)]
        bad += [area for area in options["ars"] if not _ARS.fullmatch(area)]
        if bad:
            raise CommandError(
                "LeiKa keys have 14 digits, regional keys 1 to 12 digits; not: " + ", ".join(bad)
            )
        wanted = options["destination_id"] or uuid.uuid4()
        if OwnDestination.objects.filter(destination_id=wanted).exists():
            raise CommandError(f"The destination {wanted} exists already.")
        destination = OwnDestination.objects.create(
            destination_id=wanted,
            name=options["name"] or (unit.name if unit else authority.name),
            authority=authority,
            org_unit=unit,
            leika_keys=options["leika"],
            areas=options["ars"],
        )
        self.stdout.write(str(destination.destination_id))

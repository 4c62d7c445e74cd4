"""``rathaus exchange-destination add|list``: the destinations elsewhere we send to (ADR 0053).

``add`` asks the remote's exchange API for the public destination and its encryption key
(``GET /destinations/{id}``, ``GET /destinations/{id}/keys/{kid}``) and stores it. With
``--leika`` and ``--ars`` it also asks the remote's Routing API (``GET /routes``) and takes the
signature key that verifies the route's ``destinationSignature``; otherwise the signature key is
fetched with the first event. Adding the same destination id again updates it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.catalog.keys import InvalidLeikaKey, validate_leika_key
from rathaus.core.models import Authority, OrgUnit
from rathaus.exchange import crypto, routing
from rathaus.exchange.models import Destination
from rathaus.exchange.transports import Remote, TransportError, transports


class Command(BaseCommand):
    help = "Add a destination of an authority elsewhere (fetching its public key), or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        add = commands.add_parser("add", help="add or update a destination elsewhere")
        add.add_argument("--url", required=True, help="the remote's exchange API, e.g. "
                         "https://portal.example/api/v1/exchange")  # fmt: skip
        add.add_argument("--destination-id", required=True, help="the destination's UUID")
        add.add_argument("--authority", required=True,
                         help="slug of the authority here standing for the receiver")  # fmt: skip
        add.add_argument("--token", required=True, help="the sender token the remote issued")
        add.add_argument("--name", default="", help="name (default: the authority's name)")
        add.add_argument("--leika", nargs="*", default=None,
                         help="LeiKa keys (default: the services the remote names)")  # fmt: skip
        add.add_argument("--ars", nargs="*", default=[], help="areas: ARS prefixes it serves")
        add.add_argument("--transport", default="fitconnect", help="transport plugin id")
        commands.add_parser("list", help="list the destinations elsewhere")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._add(options)

    def _list(self) -> None:
        for destination in Destination.objects.select_related("authority"):
            state = "active" if destination.active else "inactive"
            self.stdout.write(
                f"{destination.destination_id}  {destination.name} ({destination.authority.slug}, "
                f"{state})  {destination.submission_url}  LeiKa {','.join(destination.leika_keys)}"
                f"  ARS {','.join(destination.areas)}"
            )

    def _add(self, options: dict[str, Any]) -> None:
        try:
            destination_id = str(uuid.UUID(options["destination_id"]))
        except ValueError:
            raise CommandError("--destination-id must be a UUID") from None
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            raise CommandError(f"there is no authority {options['authority']!r}")
        if OrgUnit.objects.filter(authority=authority).exists():
            self.stderr.write(f"note: {authority.slug} has units here; routing opens cases for "
                              "it here and sends nothing to this destination")  # fmt: skip
        leika = self._leika(options["leika"])
        areas = [self._ars(value) for value in options["ars"]]
        try:
            transport = transports.get(options["transport"])
        except LookupError as error:
            raise CommandError(str(error)) from None
        remote = Remote(options["url"], options["token"])
        try:
            public = transport.destination(remote, destination_id)
            kid = str(public.get("encryptionKid", ""))
            key = transport.key(remote, destination_id, kid)
        except TransportError as error:
            raise CommandError(f"the remote could not be asked: {error}") from None
        self._check_encryption_key(key, kid)
        if leika is None:
            leika = [
                str(service.get("identifier", "")).removeprefix(routing.LEIKA_URN)
                for service in public.get("services", []) if isinstance(service, dict)
            ]  # fmt: skip
            leika = [value for value in leika if value.isdigit()]
        signing_keys = self._signature_keys(
            options, transport, remote, destination_id, leika, areas
        )
        destination, created = Destination.objects.update_or_create(
            destination_id=destination_id,
            defaults={
                "name": options["name"] or authority.name, "authority": authority,
                "transport": options["transport"], "submission_url": options["url"],
                "sender_token": options["token"], "encryption_key": key,
                "signing_keys": signing_keys, "leika_keys": leika, "areas": areas,
                "active": True,
            },
        )  # fmt: skip
        verb = "added" if created else "updated"
        self.stdout.write(f"{verb} {destination.destination_id} {destination.name}: LeiKa "
                          f"{','.join(leika) or '-'}, ARS {','.join(areas) or '-'}")  # fmt: skip
        if not areas:
            self.stderr.write("note: without --ars only submissions routed to "
                              f"{authority.slug} reach this destination")  # fmt: skip

    def _leika(self, values: list[str] | None) -> list[str] | None:
        if values is None:
            return None
        for value in values:
            try:
                validate_leika_key(value)
            except InvalidLeikaKey as error:
                raise CommandError(f"--leika {value}: {error}") from None
        return list(values)

    def _ars(self, value: str) -> str:
        if not value.isdigit() or not 2 <= len(value) <= 12:
            raise CommandError(f"--ars {value}: an ARS prefix has 2 to 12 digits")
        return value

    def _check_encryption_key(self, key: dict[str, Any], kid: str) -> None:
        if key.get("kid") != kid or key.get("kty") != "RSA" or "d" in key:
            raise CommandError("the remote's encryption key is no public RSA key with that kid")
        if key.get("alg") not in (None, crypto.ENCRYPTION_ALG):
            raise CommandError(f"the remote's encryption key is for {key.get('alg')}, "
                               f"not {crypto.ENCRYPTION_ALG}")  # fmt: skip
        try:
            crypto.encrypt(b"test", key)
        except Exception as error:  # whatever jwcrypto raises: the key is unusable
            raise CommandError(f"the remote's encryption key cannot be used: {error}") from None

    def _signature_keys(
        self, options: dict[str, Any], transport: Any, remote: Remote, destination_id: str,
        leika: list[str], areas: list[str],
    ) -> list[dict[str, Any]]:  # fmt: skip
        """The signature key that verifies the remote's route to this destination, if the
        Routing API can be asked (a LeiKa key and an area are known)."""
        if not leika or not areas:
            return []
        ars = areas[0].ljust(12, "0")
        try:
            routes = routing.remote_routes(options["url"], leika[0], ars, options["transport"])
        except (TransportError, routing.RoutingError) as error:
            raise CommandError(f"the remote's routes cannot be used: {error}") from None
        for route in routes:
            if route.destination_id == destination_id:
                header, _claims = crypto.read_event(route.token)
                return [transport.key(remote, destination_id, str(header.get("kid", "")))]
        raise CommandError(f"the remote names no route to {destination_id} for LeiKa "
                           f"{leika[0]} in {ars}")  # fmt: skip

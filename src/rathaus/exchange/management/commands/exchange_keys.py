"""``rathaus exchange-keys``: make the exchange's private key set and print its public keys."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.exchange import crypto

MIN_SIZE = 2048


class Command(BaseCommand):
    help = (
        "Make a new key set for the exchange (one RSA key to decrypt, one to sign), write it "
        "readable by its owner only, and print the public keys as a JWK set (JSON)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            metavar="PATH",
            help="where to write the private key set (default: RATHAUS_EXCHANGE_KEY_FILE)",
        )
        parser.add_argument(
            "--size", type=int, default=crypto.KEY_SIZE, help="RSA key size in bits (default 4096)"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace an existing key file (old keys are lost)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["out"] or settings.RATHAUS_EXCHANGE_KEY_FILE
        if not target:
            raise CommandError(
                "Where should the keys go? Give --out PATH or set RATHAUS_EXCHANGE_KEY_FILE."
            )
        path = Path(target)
        size: int = options["size"]
        if size < MIN_SIZE or size % 8:
            raise CommandError(f"--size must be a multiple of 8 and at least {MIN_SIZE}.")
        if path.exists() and not options["force"]:
            raise CommandError(
                f"{path} exists already; senders encrypt to its keys. "
                "Use --force to replace it (submissions on their way can then not be read)."
            )
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        keys = crypto.generate_key_set(size)
        temporary = path.with_name(f".{path.name}.new")
        temporary.unlink(missing_ok=True)
        try:
            crypto.write_key_set(keys, temporary)
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {path}: {error.strerror}") from None
        public = crypto.public_key_set(keys)
        self.stdout.write(json.dumps(public, indent=2))
        self.stderr.write(f"Private keys written to {path} (readable by you only).")

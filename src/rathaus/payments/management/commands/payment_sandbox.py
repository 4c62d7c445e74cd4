"""``rathaus payment-sandbox --port N``: the payment sandbox as its own process (ADR 0047)."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.payments.sandbox.notifier import Notifier, Options
from rathaus.payments.sandbox.server import Sandbox, describe


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # it uses no database and no app of rathaus
    help = (
        "Run the payment sandbox: a payment service with a payment page whose notifications "
        "come late, repeated and out of order. Its transactions are kept in memory only."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help="port (default: the port of RATHAUS_PAYMENT_SANDBOX_URL, else 8001)",
        )
        parser.add_argument(
            "--public-url",
            default="",
            help="address of the sandbox as browsers reach it (default: http://host:port)",
        )
        parser.add_argument(
            "--delay",
            type=float,
            default=2.0,
            help="seconds before a notification is sent (default 2)",
        )
        parser.add_argument(
            "--repeat", type=int, default=2, help="how often each notification is sent (default 2)"
        )
        parser.add_argument(
            "--no-shuffle",
            action="store_true",
            help="send in order: no random spread, INITIAL not held back until after the end",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="seed of the random spread (repeatable runs)"
        )
        parser.add_argument(
            "--retry-interval",
            type=float,
            default=1.0,
            help="first pause before a failed notification is sent again",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=8,
            help="attempts per notification before the sandbox gives up",
        )
        parser.add_argument(
            "--hold",
            type=float,
            default=30.0,
            help="longest an INITIAL waits for the final status (shuffled)",
        )
        parser.add_argument(
            "--key-id",
            default="",
            help="the key of RATHAUS_PAYMENT_WEBHOOK_KEYS that signs (default: the first)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        api_key = settings.RATHAUS_PAYMENT_SANDBOX_API_KEY
        keys: dict[str, str] = settings.RATHAUS_PAYMENT_WEBHOOK_KEYS
        if not api_key:
            raise CommandError("RATHAUS_PAYMENT_SANDBOX_API_KEY is not set.")
        if not keys:
            raise CommandError("RATHAUS_PAYMENT_WEBHOOK_KEYS is not set.")
        key_id = options["key_id"] or next(iter(keys))
        if key_id not in keys:
            raise CommandError(f"--key-id {key_id} is not in RATHAUS_PAYMENT_WEBHOOK_KEYS.")
        if options["repeat"] < 1 or options["max_attempts"] < 1 or options["delay"] < 0:
            raise CommandError("--repeat and --max-attempts must be at least 1, --delay >= 0.")
        port = options["port"]
        if port is None:
            port = urlsplit(settings.RATHAUS_PAYMENT_SANDBOX_URL).port or 8001
        notifier = Notifier(
            Options(
                key_id=key_id,
                secret=keys[key_id],
                delay=options["delay"],
                repeat=options["repeat"],
                shuffle=not options["no_shuffle"],
                seed=options["seed"],
                retry_interval=options["retry_interval"],
                max_attempts=options["max_attempts"],
                hold=options["hold"],
            )
        )
        try:
            server = Sandbox(
                (options["host"], port),
                api_key=api_key,
                public_url=options["public_url"],
                notifier=notifier,
            )
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{port}: {exc}") from None
        notifier.start()

        def stop(signum: int, frame: object) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"payment sandbox listening: {describe(server)}")
        sys.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            notifier.stop()
            server.server_close()

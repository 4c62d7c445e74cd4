#!/usr/bin/env python3
"""Event registrations in a rush: confirmations per second when everyone confirms at once.

Sets up a fresh database and one event of the Digitalwerkstatt with CAPACITY places, takes
REGISTRATIONS registrations (each a row and its confirmation e-mail, as the form does), and then
lets CLIENTS threads — each with its own database connection — confirm all of them at the same
moment through ``rathaus.events.services.confirm``: every confirmation locks the event's row,
counts the registered places and registers or puts on the waiting list, and queues its e-mail.
Finally a quarter of the registered cancel at once, and the waiting list moves up. After each
rush the script checks that the event is not overbooked. Prints a Markdown table.

    .venv/bin/python bench/events.py [--registrations 2000] [--capacity 200] [--clients 16]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/events.py

Nothing but the database is contacted; everything stops by itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from common import Row, add_smoke_option, fresh_database, print_table


def rush(items: list[Any], clients: int, action: Callable[[Any], Any]) -> tuple[Row, list[Any]]:
    """All clients start together and work through their share; one row of the table."""
    from django.db import connections

    shares = [items[n::clients] for n in range(clients)]
    gate = threading.Barrier(clients + 1)
    durations: list[float] = []
    results: list[Any] = []
    lock = threading.Lock()

    def client(share: list[Any]) -> None:
        gate.wait()
        for item in share:
            started = time.perf_counter()
            outcome = action(item)
            took = time.perf_counter() - started
            with lock:
                durations.append(took)
                results.append(outcome)
        connections.close_all()

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(durations, n=100) if len(durations) > 1 else durations * 99
    return ("", clients, cuts[49] * 1000, cuts[94] * 1000, len(durations) / elapsed), results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.registrations, args.capacity, args.clients = 40, 10, 4
    with fresh_database():
        from django.utils import timezone

        from rathaus.core.models import Authority
        from rathaus.events import services
        from rathaus.events.models import Event, Registration

        authority = Authority.objects.create(
            slug="barleben", name="Gemeinde Barleben", kind=Authority.Kind.GEMEINDE
        )
        start = timezone.now() + dt.timedelta(days=7)
        event = Event.objects.create(
            authority=authority, title="Smartphone-Kurs für Senioren", kind="course",
            place_name="Digitalwerkstatt Villa 147", starts_at=start,
            ends_at=start + dt.timedelta(hours=2), capacity=args.capacity, max_places=1,
            state=Event.State.PUBLISHED,
        )  # fmt: skip
        print(f"taking {args.registrations} registrations …", file=sys.stderr)
        durations = []
        tokens = []
        for number in range(args.registrations):
            began = time.perf_counter()
            registration = services.register(
                event, name=f"Person {number}", email=f"person{number}@example.org", places=1,
                consent_text="Ich bin einverstanden.",
            )  # fmt: skip
            durations.append(time.perf_counter() - began)
            tokens.append(registration.token)  # type: ignore[attr-defined]
        cuts = statistics.quantiles(durations, n=100)
        rate = len(durations) / sum(durations)
        rows: list[Row] = [("register (form sent, e-mail queued), one after another", 1,
                            cuts[49] * 1000, cuts[94] * 1000, rate)]  # fmt: skip

        print("confirming all at once …", file=sys.stderr)
        row, outcomes = rush(tokens, args.clients,
                             lambda token: services.confirm(token).registration.status)  # fmt: skip
        rows.append((f"confirm in a rush ({args.registrations} for {args.capacity} places)",
                     *row[1:]))  # fmt: skip
        registered = Registration.objects.filter(event=event, status=services.Status.REGISTERED)
        if registered.count() != args.capacity or outcomes.count("registered") != args.capacity:
            raise SystemExit(f"overbooked or underbooked: {registered.count()} registered")

        leaving = [services.cancel_code(r) for r in registered.order_by("pk")[: args.capacity // 4]]
        print(f"{len(leaving)} cancel at once …", file=sys.stderr)
        row, moved = rush(leaving, args.clients, lambda code: len(services.cancel(
            services.registration_of(code)).moved_up))  # fmt: skip
        rows.append(("cancel in a rush, the waiting list moves up", *row[1:]))
        if sum(moved) != len(leaving) or registered.count() != args.capacity:
            raise SystemExit("the waiting list did not move up exactly once per cancellation")
    print_table(
        "Event registrations",
        rows,
        f"`rathaus.events.services` in-process, {args.clients} threads with a database "
        "connection each; every confirmation and cancellation locks the event's row",
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A public vote in a rush: votes per second when every voter votes at the same moment.

Sets up a fresh database, a competition with ENTRIES shortlisted entries and VOTES votes per
person, and VOTERS verified residents (an account with the town's postal code, a BundID-level
login). Then CLIENTS threads — each with its own database connection — cast every voter's
votes at once through ``rathaus.participation.competitions.cast_vote``, and each voter sends
one vote more than allowed (a second tab): every vote checks the eligibility, finds the next
free slot and inserts; the unique constraints refuse the extra ones. Afterwards the script
checks that exactly VOTES votes per voter were counted, publishes the result record (the
SHA-256 over all votes) and verifies it. Prints a Markdown table.

    .venv/bin/python bench/votes.py [--voters 1000] [--votes 3] [--clients 16]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/votes.py

Nothing but the database is contacted; everything stops by itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import Any

from common import Row, add_smoke_option, fresh_database, print_table

from events import rush

ENTRIES = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--votes", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.voters, args.votes, args.clients = 20, 2, 4
    with fresh_database():
        from django.contrib.auth import get_user_model
        from django.utils import timezone
        from PIL import Image

        from rathaus.accounts.models import Account
        from rathaus.construction.project_pictures import store_drawn
        from rathaus.core.models import Authority
        from rathaus.participation import competitions, result_records
        from rathaus.participation.models import Ballot, Competition, Entry, Process

        town = Authority.objects.create(
            slug="barleben", name="Gemeinde Barleben", kind=Authority.Kind.GEMEINDE,
            postal_code="39179",
        )  # fmt: skip
        process = Process.objects.create(
            authority=town, slug="logo", title="Logo", summary="Logo",
            state=Process.State.PUBLISHED, eligibility=Process.Eligibility.RESIDENTS,
            min_trust_level="substantial",
        )  # fmt: skip
        now = timezone.now()
        competition = Competition.objects.create(
            process=process, title="Logo", rules="Ein Logo",
            entries_from=now - dt.timedelta(days=9), entries_until=now - dt.timedelta(days=5),
            jury_until=now - dt.timedelta(days=2), vote_from=now - dt.timedelta(hours=1),
            vote_until=now + dt.timedelta(days=1), results_at=now + dt.timedelta(days=2),
            votes_per_person=args.votes,
        )  # fmt: skip
        picture = store_drawn(Image.new("RGB", (60, 40), "#1f5f8b"), "entwurf.png")
        entries = [Entry.objects.create(
            competition=competition, entered_by_staff=True, author_name="Klasse 7b",
            title=f"Entwurf {n}", description="Zeichnung", image=picture.file,
            display=picture.display, consent_at=now, state=Entry.State.SHORTLISTED,
        ) for n in range(ENTRIES)]  # fmt: skip
        print(f"making {args.voters} verified residents …", file=sys.stderr)
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"person{n}@example.org") for n in range(args.voters)]
        )
        if not all(user.pk for user in users):  # backends without RETURNING ids
            users = list(get_user_model().objects.filter(username__startswith="person"))
        Account.objects.bulk_create([Account(user=user, kind=Account.Kind.PERSON,
                                             postal_code="39179") for user in users])  # fmt: skip
        items: list[tuple[Any, Any]] = [
            (user, entries[(index + choice) % ENTRIES])
            for index, user in enumerate(users)
            for choice in range(args.votes + 1)  # one more than allowed: a second tab
        ]

        def vote(item: tuple[Any, Any]) -> str:
            try:
                competitions.cast_vote(competition, item[0], item[1], "substantial")
            except competitions.VoteRefused as refused:
                return refused.kind
            return "counted"

        print(f"{len(items)} votes at once …", file=sys.stderr)
        row, outcomes = rush(items, args.clients, vote)
        rows: list[Row] = [(f"cast a vote in a rush ({args.voters} voters, {args.votes} votes "
                            "each, one more tried)", *row[1:])]  # fmt: skip
        counted = Ballot.objects.filter(competition=competition).count()
        if counted != args.voters * args.votes or outcomes.count("counted") != counted:
            raise SystemExit(f"{counted} votes counted, expected {args.voters * args.votes}")
        if set(outcomes) - {"counted", "used"}:
            raise SystemExit(f"unexpected refusals: {set(outcomes)}")
        began = time.perf_counter()
        record = result_records.publish_if_due(competition, now=competition.results_at)
        took = time.perf_counter() - began
        rows.append((f"publish the result record (SHA-256 over {counted} votes)", 1,
                     took * 1000, took * 1000, 1 / took))  # fmt: skip
        if record is None or not result_records.verify(record).matches:
            raise SystemExit("the result record does not verify")
    print_table(
        "Votes in a rush",
        rows,
        f"`rathaus.participation.competitions.cast_vote` in-process, {args.clients} threads "
        "with a database connection each; the unique constraints on the votes decide",
    )


if __name__ == "__main__":
    main()

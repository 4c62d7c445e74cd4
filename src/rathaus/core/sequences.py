"""Running numbers: submission references, case numbers, waiting tickets.

Every numbering scope — ``reference:<authority>:<year>``, ``case:<org unit>:<year>``,
``ticket:<location>:<day>:<series>`` — is one :class:`~rathaus.core.models.Sequence` row holding
the last value given. :func:`next_value` raises it with one statement,
``INSERT … ON CONFLICT (scope) DO UPDATE SET value = value + 1 RETURNING value``, which both
SQLite (3.35 and later) and PostgreSQL run atomically:

- on PostgreSQL the statement locks the row until the surrounding transaction ends; a second
  transaction for the same scope waits for it and then increments the committed value, and two
  transactions creating the same scope at once do not fail on the primary key (the second waits
  and takes the update branch);
- on SQLite the write lock is taken at ``BEGIN IMMEDIATE`` (see the settings), so writers queue.

Call it inside the transaction that stores the numbered object, so a rolled-back transaction
gives its number back and a committed number is never drawn twice. The row has no foreign keys:
drawing a number locks nothing but the sequence row, which keeps it out of lock cycles with
rows the caller has locked (the waiting-ticket code once deadlocked on PostgreSQL over a joined
location row).
"""

from __future__ import annotations

from django.db import connections, router

from rathaus.core.models import Sequence

# Standard SQL quoting, understood by SQLite and PostgreSQL alike.
_DRAW = (
    'INSERT INTO "core_sequence" ("scope", "value") VALUES (%s, 1) '
    'ON CONFLICT ("scope") DO UPDATE SET "value" = "core_sequence"."value" + 1 '
    'RETURNING "value"'
)


def scope(kind: str, *parts: object) -> str:
    """The scope key for a kind of number and its parts, e.g. ``scope("case", 12, 2026)``."""
    return ":".join([kind, *(str(part) for part in parts)])


def next_value(key: str) -> int:
    """Draw the next number of the scope ``key``: 1 for a new scope, then 2, 3, …"""
    with connections[router.db_for_write(Sequence)].cursor() as cursor:
        cursor.execute(_DRAW, [key])
        row = cursor.fetchone()
    return int(row[0])


def current_value(key: str) -> int:
    """The last number drawn in the scope, 0 if none was drawn yet."""
    found = Sequence.objects.filter(scope=key).values_list("value", flat=True).first()
    return int(found or 0)

"""Locking a file for a change locks the file row only, not the rows joined to it.

On PostgreSQL ``select_for_update()`` with ``select_related`` locks every joined row FOR UPDATE
unless ``of`` says otherwise. The filing task locked its file and with it the authority row;
a request that appended to the same authority's audit chain then waited at its commit for the
authority row (the foreign key check) while the task waited for the chain: a deadlock, seen
under load by bench/load_faults.py.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from rathaus.documents import services
from tests.factories import FileFactory

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


@pytest.mark.django_db(transaction=True)
def test_a_locked_file_leaves_its_authority_row_free_for_others():
    file = FileFactory()
    held, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def hold_the_file() -> None:
        try:
            with transaction.atomic():
                seen.append(services.locked(file).authority_id)
                held.set()
                release.wait(20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_file)
    holder.start()
    try:
        assert held.wait(20)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # what the foreign key check of another transaction's commit takes
                cursor.execute(
                    "SELECT 1 FROM core_authority WHERE id = %s FOR KEY SHARE NOWAIT",
                    [file.authority_id],
                )
            else:
                cursor.execute("SELECT 1 FROM core_authority WHERE id = %s", [file.authority_id])
            assert cursor.fetchone() == (1,)
    finally:
        release.set()
        holder.join()
    assert seen == [file.authority_id]

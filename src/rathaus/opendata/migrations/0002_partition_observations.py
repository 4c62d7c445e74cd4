"""On PostgreSQL the observation table becomes partitioned by month of ``phenomenon_time_start``.

The table is rebuilt under the same name: the rows are copied into a table declared
``PARTITION BY RANGE (phenomenon_time_start)`` with one partition per month of the existing data
up to three months ahead and a DEFAULT partition for anything outside. PostgreSQL requires the
partition key in the primary key, so it becomes ``(id, phenomenon_time_start)``; ``id`` stays an
identity column and Django keeps treating it as the primary key. The indexes and foreign keys of
the old table are recreated with their names, so later migrations find them. On SQLite nothing
changes (see ADR 0060). The SQL is kept here, not imported, so the migration never changes.
"""

from __future__ import annotations

import datetime

from django.db import migrations

TABLE = "opendata_observation"
OLD = "opendata_observation_unpartitioned"
AHEAD_MONTHS = 3


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _bound(month: datetime.date) -> str:
    return f"{month:%Y-%m-%d} 00:00:00+00"


def _rebuild(cursor, partitioned: bool) -> None:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() AND tablename = %s",
        [TABLE],
    )
    indexes = [(name, sql) for name, sql in cursor.fetchall() if name != f"{TABLE}_pkey"]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('f', 'c')",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
    tail = " PARTITION BY RANGE (phenomenon_time_start)" if partitioned else ""
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY){tail}"
    )
    key = "id, phenomenon_time_start" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
    if partitioned:
        cursor.execute(
            "SELECT min(phenomenon_time_start) AT TIME ZONE 'UTC',"
            f" max(phenomenon_time_start) AT TIME ZONE 'UTC' FROM {OLD}"
        )
        first, last = cursor.fetchone()
        today = datetime.datetime.now(datetime.UTC).date()
        first = min(first.date(), today) if first else today
        last = max(last.date(), today) if last else today
        ahead = (last.replace(day=1) + datetime.timedelta(days=31 * AHEAD_MONTHS + 1)).replace(
            day=1
        )
        for month in _months(first, ahead):
            following = (month + datetime.timedelta(days=32)).replace(day=1)
            cursor.execute(
                f"CREATE TABLE {TABLE}_p{month:%Y%m} PARTITION OF {TABLE}"
                f" FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(following)}')"
            )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'),"
        f" COALESCE((SELECT max(id) FROM {TABLE}), 0) + 1, false)"
    )
    cursor.execute(f"DROP TABLE {OLD} CASCADE")
    for _name, sql in indexes:
        cursor.execute(sql)
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")


def partition(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=True)


def unpartition(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_initial")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]

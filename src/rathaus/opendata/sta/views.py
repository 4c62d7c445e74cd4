"""The one entry point of ``/sta/v1.1/…``: reading (GET) and writing (POST, PATCH, PUT, DELETE).

Reading lives in :mod:`.read`, writing in :mod:`.write`; both raise :class:`StaError` for
anything a client did wrong, which becomes the standard's error document here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from rathaus.opendata.sta import errors

READ = ("GET", "HEAD")
WRITE = ("POST", "PATCH", "PUT", "DELETE")


@csrf_exempt  # a machine API: writes need a staff API key in the Authorization header
def dispatch(request: HttpRequest, path: str = "") -> HttpResponse:
    from rathaus.opendata.sta import write

    try:
        if request.method in READ:
            return _bounded_read(request, path)
        if request.method in WRITE:
            return write.handle(request, path)
        raise errors.StaError(405, f"{request.method} is not supported.")
    except errors.StaError as error:
        return errors.response(error)


def _bounded_read(request: HttpRequest, path: str) -> HttpResponse:
    """A GET with a statement timeout on PostgreSQL: no request can keep the database busy for
    long (SQLite has none; the limits of $top, $expand and $count bound the work there)."""
    from rathaus.opendata.sta import read

    if connection.vendor != "postgresql":
        return read.handle(request, path)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                timeout = int(settings.RATHAUS_STA_STATEMENT_TIMEOUT_MS)
                cursor.execute(f"SET LOCAL statement_timeout = {timeout}")
            return read.handle(request, path)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "57014":  # query_canceled
            raise
        raise errors.StaError(
            503,
            "The request took too long and was stopped. Ask for less: a smaller $top, "
            "fewer or smaller $expand, a narrower $filter, or no $count.",
        ) from None

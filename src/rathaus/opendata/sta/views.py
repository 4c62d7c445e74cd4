"""The one entry point of ``/sta/v1.1/…``: reading (GET) and writing (POST, PATCH, PUT, DELETE).

Reading lives in :mod:`.read`, writing in :mod:`.write`; both raise :class:`StaError` for
anything a client did wrong, which becomes the standard's error document here.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from rathaus.opendata.sta import errors

READ = ("GET", "HEAD")
WRITE = ("POST", "PATCH", "PUT", "DELETE")


@csrf_exempt  # a machine API: writes need a staff API key in the Authorization header
def dispatch(request: HttpRequest, path: str = "") -> HttpResponse:
    from rathaus.opendata.sta import read, write

    try:
        if request.method in READ:
            return read.handle(request, path)
        if request.method in WRITE:
            return write.handle(request, path)
        raise errors.StaError(405, f"{request.method} is not supported.")
    except errors.StaError as error:
        return errors.response(error)

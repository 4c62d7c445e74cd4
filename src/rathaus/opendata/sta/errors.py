"""Errors of the SensorThings API, in the shape FROST-Server and clients of the standard expect.

``{"code": 400, "type": "error", "message": "…"}`` with the HTTP status of the code. A bad
request is never a 500: every parser and checker raises :class:`StaError`.
"""

from __future__ import annotations

from django.http import JsonResponse


class StaError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> StaError:
    return StaError(400, message)


def not_found(message: str = "Nothing found.") -> StaError:
    return StaError(404, message)


def response(error: StaError) -> JsonResponse:
    return JsonResponse(
        {"code": error.status, "type": "error", "message": error.message}, status=error.status
    )

"""How every OParl answer is sent: JSON in UTF-8, readable from any web page (CORS)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)

CONTENT_TYPE = "application/json; charset=utf-8"


def cors(response: R) -> R:
    # OParl clients are web apps on other sites too; everything here is public
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Content-Disposition, Content-Length, ETag"
    return response


def json(data: dict[str, Any], status: int = 200) -> HttpResponse:
    response = JsonResponse(
        data, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    return cors(response)


def problem(status: int, title: str, detail: str, **extra: Any) -> HttpResponse:
    """An error as RFC 9457 problem details."""
    data = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = JsonResponse(
        data, status=status, content_type="application/problem+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )  # fmt: skip
    return cors(response)


def not_found(detail: str = "No such object.") -> HttpResponse:
    return problem(404, "Not Found", detail)

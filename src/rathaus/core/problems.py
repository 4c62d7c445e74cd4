"""RFC 7807 problem documents, the error format of every API router.

They live in ``core`` so that each app's router can answer with them without importing the
project-level API assembly (``rathaus.api``), which sits above all apps and mounts their routers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.renderers import JSONRenderer

PROBLEM_CONTENT_TYPE = "application/problem+json"

_renderer = JSONRenderer()


class ProblemOut(Schema):
    """An RFC 7807 problem document as the API's handlers write it (for the OpenAPI schema)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, str]] | None = None


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    content = _renderer.render(request, body, response_status=status)
    return HttpResponse(content, status=status, content_type=PROBLEM_CONTENT_TYPE)

"""The JSON API under /api/v1/: OpenAPI schema, interactive docs, RFC 7807 errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from rathaus import __version__
from rathaus.core import health
from rathaus.core.files.limits import too_large_response
from rathaus.core.problems import ProblemSchema, problem, title_for


class RathausAPI(NinjaAPI):
    """Ninja's API whose OpenAPI schema documents the problem documents as they are sent."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ProblemSchema(self, path_prefix)


api = RathausAPI(
    title="rathaus API",
    version="1",
    description=(
        "Public and staff API of the rathaus digital town hall. Every error is an RFC 7807 "
        "problem document (`application/problem+json`) with `type`, `title`, `status`, "
        "`detail` and `instance`; invalid parameters and fields are listed in `errors`, each "
        "with its place (`query.kind`, `body.start`). Each operation lists the errors it gives. "
        "The staff operations need a personal API key: `Authorization: Bearer rh_…`."
    ),
    urls_namespace="api-v1",
)


def _location(loc: list[Any]) -> str:
    # Ninja prefixes the source ("body", "query", "path"); keep it, it tells the client where.
    return ".".join(str(part) for part in loc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _location(list(error.get("loc", []))), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return problem(
        request, 422, "Invalid request", "One or more fields are invalid.", errors=errors
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, title_for(exc.status_code), str(exc.message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not Found", "There is nothing with this key.")


@api.exception_handler(RawPostDataException)
def _form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form upload to an endpoint that expects JSON: its body was already parsed as a form.
    return problem(request, 415, "Unsupported Media Type", "This endpoint expects JSON.")


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A JSON body larger than DATA_UPLOAD_MAX_MEMORY_SIZE; uploads stop earlier (core.files).
    return too_large_response(request)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(request, 401, "Authentication required")
    # RFC 6750: tell the client which scheme to use; valid for the staff API's bearer keys.
    response["WWW-Authenticate"] = 'Bearer realm="rathaus"'
    return response


api.add_router("/authorities", "rathaus.core.api.router")
api.add_router("/services", "rathaus.catalog.api.router")
api.add_router("/responsibility", "rathaus.catalog.api.responsibility_router")
api.add_router("/forms", "rathaus.forms.api.router")
api.add_router("/appointments", "rathaus.appointments.api.router")
api.add_router("/cases", "rathaus.cases.api.router")
api.add_router("/documents", "rathaus.documents.api.router")
api.add_router("/payments/webhooks", "rathaus.payments.webhooks.router")
api.add_router("/payments", "rathaus.payments.api.router")
api.add_router("/exchange/callbacks", "rathaus.exchange.callbacks.router")
api.add_router("/exchange", "rathaus.exchange.receiving_api.router")
api.add_router("/participation", "rathaus.participation.api.router")
api.add_router("/events", "rathaus.events.api.router")
api.add_router("/projects", "rathaus.projects.api.router")
api.add_router("/schools", "rathaus.schools.api.router")


class VersionOut(Schema):
    name: str
    version: str


class HealthOut(Schema):
    status: str
    checks: dict[str, dict[str, Any]]


@api.get("/version", response=VersionOut, tags=["system"], summary="Software version")
def version(request: HttpRequest) -> dict[str, str]:
    """The name and version of the software that answers."""
    return {"name": "rathaus", "version": __version__}


@api.get(
    "/health",
    response={200: HealthOut, 503: HealthOut},
    tags=["system"],
    summary="Database and worker health (same as /health)",
    description=(
        "The overall status and each component's status. Details (counts, errors) only for "
        "verified staff and with `Authorization: Bearer <RATHAUS_HEALTH_TOKEN>`."
    ),
)
def api_health(request: HttpRequest) -> Status[dict[str, Any]]:
    """Whether the database answers, live workers exist, the task queue moves and the virus
    scanner (if configured) answers; 503 with the same report when a check fails. Meant for
    monitoring.
    """
    result = health.answer(request)
    return Status(200 if result["status"] == "ok" else 503, result)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown API paths answer with a problem document, not an HTML page."""
    return problem(request, 404, "Not Found", "There is no API endpoint at this path.")

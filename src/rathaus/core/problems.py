"""RFC 7807 problem documents, the error format of every API router.

They live in ``core`` so that each app's router can answer with them without importing the
project-level API assembly (``rathaus.api``), which sits above all apps and mounts their routers.

Three parts keep the API's errors and its OpenAPI schema in step (ADR 0026):

- :func:`problem` writes the document (``application/problem+json``);
- :class:`ProblemSchema` documents it: every error response a router declares with a
  :class:`ProblemOut` model is listed under that media type, and the errors that every
  operation of a kind can give (400, 401, 404, 413, 415, 422) are added to it, so no router
  lists them by hand;
- :class:`ApiProblemMiddleware` turns the errors answered before or outside a router under
  ``/api/`` (405, 413 of the upload guard, 400 of the input guard, 500, 503) into problem
  documents too.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from ninja import Field, Schema
from ninja.constants import NOT_SET
from ninja.errors import ConfigError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.renderers import JSONRenderer
from ninja.schema import NinjaGenerateJsonSchema

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"

_renderer = JSONRenderer()
_STATUS_CODES = {status.value for status in HTTPStatus}


class FieldErrorOut(Schema):
    field: str = Field(
        description="Where: the source and the path, e.g. `query.kind`, `body.start`, "
        "`data.address.postal_code`"
    )
    message: str


class ProblemOut(Schema):
    """An RFC 7807 problem document; members beyond these are named by the operation."""

    type: str = Field(description="Always `about:blank`: the status and the title say it all")
    title: str = Field(description="The kind of problem, the same for every occurrence")
    status: int = Field(description="The HTTP status code")
    detail: str = Field("", description="What went wrong in this request, in words")
    instance: str = Field(description="The path that was requested")
    errors: list[FieldErrorOut] = Field(
        [], description="Each invalid parameter or field (400, 413, 422)"
    )


def title_for(status: int) -> str:
    return HTTPStatus(status).phrase if status in _STATUS_CODES else "Error"


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


# --- the OpenAPI schema ----------------------------------------------------------------------


def implicit_errors(operation: Operation) -> dict[int, str]:
    """The error responses an operation can give because of what it takes, with their meaning."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    errors = {
        400: "The request cannot be read: a body that is not valid JSON, or a NUL character "
        "in the address, the query or a form field."
    }
    if operation.auth_callbacks:
        errors[401] = "No valid API key: send `Authorization: Bearer rh_…`."
    if "path" in sources:
        errors[404] = "Nothing with this key exists, or it is not visible to you."
    if "file" in sources:
        errors[413] = "The upload is larger than the portal accepts."
    if "body" in sources:
        errors[415] = "The body was sent as a form; send it as `application/json`."
    if sources:
        errors[422] = "A parameter or a field is invalid; `errors` names each with its place."
    return errors


def _declares_problem(model: Any) -> bool:
    if model in (None, NOT_SET):
        return False
    declared = model.model_fields["response"].annotation
    return isinstance(declared, type) and issubclass(declared, ProblemOut)


class ProblemSchema(OpenAPISchema):
    """Ninja's OpenAPI schema with the API's errors documented as they are sent."""

    def responses(self, operation: Operation) -> dict[int, dict[str, Any]]:
        result = super().responses(operation)
        for status, model in operation.response_models.items():
            if status is not Ellipsis and _declares_problem(model):
                (media,) = result[status]["content"].values()
                result[status]["content"] = {PROBLEM_CONTENT_TYPE: media}
        for status, description in implicit_errors(operation).items():
            if status not in result:
                result[status] = {
                    "description": description,
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": self._problem_schema()}},
                }
        return dict(sorted(result.items()))

    def _problem_schema(self) -> dict[str, str]:
        if ProblemOut.__name__ not in self.schemas:
            schema = ProblemOut.model_json_schema(
                ref_template=REF_TEMPLATE,
                schema_generator=NinjaGenerateJsonSchema,
                mode="serialization",
            )
            definitions = schema.pop("$defs", {})
            self.add_schema_definitions({**definitions, ProblemOut.__name__: schema})
        return {"$ref": REF_TEMPLATE.format(model=ProblemOut.__name__)}

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        # Components are keyed by the model's class name: two different models of one name
        # would silently share one schema, and one of them would be documented wrongly.
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise ConfigError(f"Two different API schemas are named {name!r}: rename one.")
        super().add_schema_definitions(definitions)


# --- errors answered outside the routers -----------------------------------------------------


def _detail(status: int) -> str:
    if status == 413:
        limit = filesizeformat(settings.RATHAUS_UPLOAD_MAX_BYTES)
        return f"The upload is too large. A file may have at most {limit}."
    return {
        400: "The request could not be read.",
        403: "You may not do this.",
        404: "There is nothing at this address.",
        405: "This method is not allowed here; the Allow header names the allowed ones.",
        429: "Too many requests; try again after the seconds in Retry-After.",
        500: "The server failed to answer. The error has been logged.",
        503: "The service is not available at the moment; try again after Retry-After.",
    }.get(status, "")


class ApiProblemMiddleware:
    """Under /api/, an error that is not JSON already becomes a problem document.

    The routers and the API's handlers answer with problems themselves; this catches what is
    answered before a router runs or outside it: 405 of a path that has no such method, 413 of
    :class:`~rathaus.core.files.limits.UploadLimitMiddleware`, 400 of the input guard, 500 and
    the 503 of an unreachable database. The headers (``Allow``, ``Retry-After``) are kept.
    JSON answers are left alone: the health report's 503 is the report itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            settings.SECURE_SSL_REDIRECT
            and request.path.startswith(API_PREFIX)
            and not request.is_secure()
        ):
            # Pages are redirected to HTTPS; an API client is told, not redirected: its key has
            # gone out in clear already, and a redirected POST would come back as a GET
            # (ASVS V4.1.2; settings.SECURE_REDIRECT_EXEMPT leaves /api/ to this check).
            return problem(
                request, 403, "HTTPS required",
                "The API answers only over HTTPS. If this request carried an API key, revoke it "
                "and use a new one.",
            )  # fmt: skip
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIX):
            return response
        media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type in {PROBLEM_CONTENT_TYPE, "application/json"}:
            return response
        status = response.status_code
        converted = problem(request, status, title_for(status), _detail(status))
        for header, value in response.headers.items():
            if header.lower() not in {"content-type", "content-length"}:
                converted[header] = value
        converted.cookies = response.cookies
        return converted

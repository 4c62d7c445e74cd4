"""Form API: read a form's definition, upload files, submit — with the pages' validation."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from rathaus.accounts.models import Account
from rathaus.core.bounds import JsonObject, Key, Slug
from rathaus.core.problems import ProblemOut, problem
from rathaus.core.tenancy import current_authority
from rathaus.forms import area, services
from rathaus.forms.models import FormDefinition, FormVersion, TrustRequirement, Upload
from rathaus.forms.selectors import definition_by_slug, spec_for
from rathaus.forms.submissions import IdempotencyConflict, file_fields

router = Router(tags=["forms"])

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


class FormOut(Schema):
    slug: str
    title: str
    version: int
    min_trust_level: str
    data_schema: dict[str, Any]
    layout: dict[str, Any]


class SubmissionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    data: JsonObject


class SubmissionOut(Schema):
    id: str
    reference: str
    submitted_at: str
    form_version: int
    receipt_url: str


class UploadOut(Schema):
    id: str
    field: str
    filename: str
    content_type: str
    size: int
    sha512: str


def _account(request: HttpRequest) -> Account | None:
    account = getattr(request.user, "account", None) if request.user.is_authenticated else None
    return account if isinstance(account, Account) else None


def _form(
    request: HttpRequest, slug: str, *, applying: bool = False
) -> tuple[FormDefinition, FormVersion] | HttpResponse:
    """The form and its published version; to apply with it (upload, submit), also the login
    the form needs."""
    definition = definition_by_slug(current_authority(request), slug)
    version = definition.published_version() if definition is not None else None
    if definition is None or version is None:
        return problem(request, 404, "Not Found", "There is no published form with this name.")
    if definition.retired_at is not None:
        return problem(request, 410, "Gone", "This form no longer accepts applications.")
    denied = _login_problem(request, version) if applying else None
    return denied if denied is not None else (definition, version)


def _login_problem(request: HttpRequest, version: FormVersion) -> HttpResponse | None:
    from rathaus.accounts import trust

    if version.min_trust_level == TrustRequirement.NONE:
        return None
    if _account(request) is None:
        return problem(request, 401, "Authentication required", "This form needs a citizen login.")
    if not trust.satisfies(request, version.min_trust_level):
        return problem(
            request,
            403,
            "Forbidden",
            f"This form needs a login with the trust level {version.min_trust_level}.",
            required_trust_level=version.min_trust_level,
        )
    return None


@router.get(
    "/{slug}",
    response={200: FormOut, 404: ProblemOut, 410: ProblemOut},
    summary="A form's current published definition (JSON Schema and layout)",
)
def form_detail(request: HttpRequest, slug: Slug) -> Any:
    """The published version of the form: its JSON Schema (what `data` of a submission must
    match), its layout and the trust level of the login it needs. 404 for an unknown or
    unpublished form, 410 for a retired one.
    """
    found = _form(request, slug)
    if isinstance(found, HttpResponse):
        return found
    definition, version = found
    return {
        "slug": definition.slug,
        "title": version.title,
        "version": version.number,
        "min_trust_level": version.min_trust_level,
        "data_schema": version.schema,
        "layout": version.layout,
    }


@router.post(
    "/{slug}/uploads",
    response={
        201: UploadOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        410: ProblemOut,
        413: ProblemOut,
        422: ProblemOut,
        503: ProblemOut,
    },
    summary="Upload one file for a file question; the returned id goes into the data",
)
def upload(request: HttpRequest, slug: Slug, field: Form[Key], file: File[UploadedFile]) -> Any:
    """Sends one file (`multipart/form-data`, fields `field` and `file`) for a file question of
    the form. The file is checked like on the page (type, size, virus scanner); the returned
    `id` goes into the submission's `data`. Forms that need a login need it here too (401,
    403).
    """
    from rathaus.core.files import UploadRejected, UploadRules, check_and_store

    found = _form(request, slug, applying=True)
    if isinstance(found, HttpResponse):
        return found
    definition, version = found
    spec = spec_for(version)
    template = ".".join("*" if part.isdigit() else part for part in field.split("."))
    element = spec.field_templates.get(template)
    if element is None or element.widget != "file":
        message = _("Unknown field: %(names)s.") % {"names": field}
        return problem(
            request, 422, "Invalid request", "This is not a file question of the form.",
            errors=[{"field": "field", "message": message}],
        )  # fmt: skip
    try:
        stored = check_and_store(
            file, UploadRules(accept=element.accept, max_bytes=element.max_size)
        )
    except UploadRejected as rejected:
        title = "Try again later" if rejected.retry_after else "File rejected"
        answer = problem(
            request, rejected.status, title, rejected.message, code=rejected.code,
            errors=[{"field": field, "message": rejected.message}],
        )  # fmt: skip
        if rejected.retry_after:
            answer["Retry-After"] = str(rejected.retry_after)
        return answer
    record = Upload.objects.create(
        draft=None, definition=definition, field=field, **file_fields(stored)
    )
    return Status(
        201,
        {
            "id": record.pk.hex,
            "field": field,
            "filename": record.original_name,
            "content_type": record.content_type,
            "size": record.size,
            "sha512": record.sha512,
        },
    )


@router.post(
    "/{slug}/submissions",
    response={
        200: SubmissionOut,
        201: SubmissionOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        410: ProblemOut,
        415: ProblemOut,
        422: ProblemOut,
    },
    summary="Submit an application",
    description=(
        "The data is checked exactly like the online form. Send an `Idempotency-Key` header "
        "to retry safely: the same key with the same data returns the first submission "
        "(200); the same key with different data is refused (422)."
    ),
)
def submit(request: HttpRequest, slug: Slug, payload: SubmissionIn) -> Any:
    content_type = request.content_type or ""
    if content_type != "application/json":
        return problem(request, 415, "Unsupported Media Type", "Send application/json.")
    found = _form(request, slug, applying=True)
    if isinstance(found, HttpResponse):
        return found
    _definition, version = found
    key = request.headers.get("Idempotency-Key", "")
    if key and not _IDEMPOTENCY_KEY.match(key):
        return problem(
            request, 422, "Invalid request",
            "The Idempotency-Key header must be 1 to 200 visible ASCII characters.",
        )  # fmt: skip
    spec = spec_for(version)
    data = payload.data
    errors: dict[str, list[str]] = {}
    for path in spec.unexpected_paths(data):
        errors.setdefault(path, []).append(_("Unknown field: %(names)s.") % {"names": path})
    for path in spec.hidden_answers(data):
        errors.setdefault(path, []).append(
            _("This question does not apply to your other answers; leave it out.")
        )
    for path, messages in area.errors(version, spec, spec.prune(copy.deepcopy(data))).items():
        errors.setdefault(path, []).extend(messages)
    if errors:
        return _invalid(request, errors)
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    try:
        result = services.submit_data(
            version,
            data,
            account=_account(request),
            trust_level=_trust_level(request),
            idempotency_key=key,
            payload_sha256=hashlib.sha256(canonical.encode()).hexdigest(),
            portal_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except services.NotSubmittable as problem_found:
        return _invalid(request, problem_found.errors)
    except IdempotencyConflict:
        return problem(
            request, 422, "Idempotency-Key reused",
            "This Idempotency-Key was already used with different data.",
        )  # fmt: skip
    submission = result.submission
    body = {
        "id": str(submission.pk),
        "reference": submission.reference,
        "submitted_at": submission.submitted_at.isoformat(),
        "form_version": version.number,
        "receipt_url": request.build_absolute_uri(reverse("forms:receipt", args=[submission.pk])),
    }
    if result.created:
        services.remember(request, services.SESSION_SUBMISSIONS, str(submission.pk))
    return Status(201 if result.created else 200, body)


def _trust_level(request: HttpRequest) -> str:
    from rathaus.forms.views import trust_level_used

    return trust_level_used(request)


def _invalid(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    return problem(
        request, 422, "Invalid application", "One or more answers are missing or invalid.",
        errors=[
            {"field": f"data.{path}" if path else "data", "message": message}
            for path, messages in errors.items()
            for message in messages
        ],
    )  # fmt: skip

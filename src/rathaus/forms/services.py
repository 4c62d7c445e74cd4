"""Changing forms state: drafts, uploads, submitting (definitions and versions in ``definitions``,
re-exported here)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import Account, Consent
from rathaus.core import files as stored_files
from rathaus.core.mail import send_mail
from rathaus.core.models import StoredFile
from rathaus.forms import area
from rathaus.forms.definitions import (
    accept_free_text,
    apply_code_lists,
    asks_questions,
    create_definition,
    new_version,
    no_questions_problem,
    publish,
    retire,
    update_version,
    version_missing,
)
from rathaus.forms.engine import FormSpec, get_path, set_path
from rathaus.forms.models import (
    Channel,
    Draft,
    FormVersion,
    Submission,
    SubmissionAttachment,
    Upload,
)
from rathaus.forms.selectors import spec_for
from rathaus.forms.submissions import AttachmentSpec, create_submission, file_fields

# The forms API: the functions below, and from ``definitions`` what callers use (publish etc.).
__all__ = [
    "PREFILL_CONSENT_TOPIC", "SESSION_DRAFTS", "SESSION_SUBMISSIONS", "NotSubmittable",
    "ResumeLinkInvalid", "SubmitResult", "accept_free_text", "apply_code_lists", "asks_questions",
    "attach_upload", "create_definition", "discard", "may_download", "may_open", "new_version",
    "no_questions_problem", "prefill_data", "prefill_preview", "profile_values", "publish",
    "purge_expired", "referenced_uploads", "remember", "remove_upload", "resume", "retire",
    "save_answers", "send_resume_link", "start_draft", "submit", "submit_data", "update_version",
    "version_missing",
]  # fmt: skip

SESSION_DRAFTS = "rathaus_drafts"
SESSION_SUBMISSIONS = "rathaus_submissions"
PREFILL_CONSENT_TOPIC = "form-prefill"


class ResumeLinkInvalid(Exception):
    """The resume link is unknown, expired or belongs to a submitted application."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown", "expired" or "submitted"


class NotSubmittable(Exception):
    """The draft still has mistakes; ``errors`` maps field paths to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(f"{len(errors)} fields with errors")
        self.errors = errors


# --- drafts --------------------------------------------------------------------------------------


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.RATHAUS_DRAFT_DAYS)


def remember(request: HttpRequest, key: str, value: str) -> None:
    known = list(request.session.get(key, []))
    if value not in known:
        known.append(value)
    request.session[key] = known[-50:]


def start_draft(
    version: FormVersion,
    *,
    request: HttpRequest,
    account: Account | None,
    prefill: bool = False,
) -> Draft:
    data: dict[str, Any] = {}
    if prefill and account is not None:
        data = prefill_data(spec_for(version), account)
    with transaction.atomic():
        draft = Draft.objects.create(
            version=version,
            account=account,
            data=data,
            prefill_consent=bool(prefill and account is not None),
            expires_at=_expiry(),
        )
        if prefill and account is not None:
            Consent.objects.create(
                account=account,
                topic=f"{PREFILL_CONSENT_TOPIC}:{version.definition.slug}",
                version=str(version.number),
            )
    remember(request, SESSION_DRAFTS, str(draft.pk))
    return draft


def may_open(request: HttpRequest, draft: Draft) -> bool:
    """Only the account that started a draft, or the browser that started or resumed it."""
    if draft.account_id is not None:
        account = getattr(request.user, "account", None) if request.user.is_authenticated else None
        return account is not None and account.pk == draft.account_id
    return str(draft.pk) in request.session.get(SESSION_DRAFTS, [])


def may_download(request: HttpRequest, stored: StoredFile) -> bool:
    """Whoever may open a draft may download its uploads (``/dateien/…``, ADR 0019)."""
    uploads = Upload.objects.filter(file=stored, draft__isnull=False).select_related("draft")
    return any(upload.draft is not None and may_open(request, upload.draft) for upload in uploads)


def profile_values(account: Account) -> dict[str, Any]:
    user = account.user
    address = {
        key: value
        for key, value in (
            ("street", account.street),
            ("postal_code", account.postal_code),
            ("place", account.city),
        )
        if value
    }
    values: dict[str, Any] = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_of_birth": account.date_of_birth.isoformat() if account.date_of_birth else "",
        "email": user.email,
        "phone": account.phone,
        "address": address,
    }
    return {key: value for key, value in values.items() if value}


def prefill_preview(spec: FormSpec, account: Account) -> list[tuple[str, str]]:
    """(question, value) pairs that the account's profile would fill in."""
    values = profile_values(account)
    rows = []
    for _path, element in spec.prefill_fields():
        value = values.get(element.prefill)
        if value:
            shown = (
                ", ".join(str(part) for part in value.values())
                if isinstance(value, dict)
                else str(value)
            )
            if element.prefill == "date_of_birth":
                shown = datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
            rows.append((element.label, shown))
    return rows


def prefill_data(spec: FormSpec, account: Account) -> dict[str, Any]:
    values = profile_values(account)
    data: dict[str, Any] = {}
    for path, element in spec.prefill_fields():
        value = values.get(element.prefill)
        if value:
            set_path(data, path, dict(value) if isinstance(value, dict) else value)
    return data


def save_answers(draft: Draft, data: dict[str, Any], step: int) -> None:
    """Store the answers as they are, valid or not, so that nothing typed is lost."""
    Draft.objects.filter(pk=draft.pk, submitted_at__isnull=True).update(
        data=data, step=step, updated_at=timezone.now(), expires_at=_expiry()
    )
    draft.data = data
    draft.step = step


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_resume_link(draft: Draft, *, email: str, request: HttpRequest) -> None:
    """E-mail a secret link that opens the draft on any device until it expires."""
    token = secrets.token_urlsafe(32)
    expires = _expiry()
    with transaction.atomic():
        Draft.objects.filter(pk=draft.pk).update(
            resume_token_hash=_token_hash(token), resume_expires_at=expires, expires_at=expires
        )
        send_mail(
            to=email,
            subject=_("Your saved application"),
            template="forms/email/resume",
            context={
                "title": draft.version.title,
                "resume_url": request.build_absolute_uri(reverse("forms:resume", args=[token])),
                "expires": timezone.localtime(expires),
            },
            authority=draft.version.definition.authority,
        )


def resume(token: str, request: HttpRequest) -> Draft:
    draft = (
        Draft.objects.select_related("version__definition")
        .filter(resume_token_hash=_token_hash(token))
        .first()
        if token
        else None
    )
    if draft is None:
        raise ResumeLinkInvalid("unknown")
    if draft.submitted_at is not None:
        raise ResumeLinkInvalid("submitted")
    if draft.resume_expires_at is None or draft.resume_expires_at < timezone.now():
        raise ResumeLinkInvalid("expired")
    remember(request, SESSION_DRAFTS, str(draft.pk))
    return draft


def discard(draft: Draft) -> None:
    with transaction.atomic():
        stored = list(draft.uploads.values_list("file_id", flat=True))
        deleted, _counts = Draft.objects.filter(pk=draft.pk, submitted_at__isnull=True).delete()
        if deleted:
            stored_files.release(stored)


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete drafts that were not touched for RATHAUS_DRAFT_DAYS, with their files.

    A file that a submission holds (its attachment points to the same stored file) stays.
    """
    moment = now or timezone.now()
    expired = Draft.objects.filter(expires_at__lt=moment)
    count = 0
    for draft in expired.iterator():
        with transaction.atomic():
            stored = list(draft.uploads.values_list("file_id", flat=True))
            Upload.objects.filter(draft=draft).delete()
            Draft.objects.filter(pk=draft.pk).delete()
            stored_files.release(stored)
        count += 1
    count += _purge_unclaimed_uploads(moment)
    return count


def _purge_unclaimed_uploads(moment: datetime.datetime) -> int:
    """API uploads that no submission claimed within RATHAUS_DRAFT_DAYS (claimed files stay)."""
    cutoff = moment - datetime.timedelta(days=settings.RATHAUS_DRAFT_DAYS)
    stale = Upload.objects.filter(draft__isnull=True, created_at__lt=cutoff)
    count = 0
    for upload in stale.iterator():
        with transaction.atomic():
            Upload.objects.filter(pk=upload.pk).delete()
            stored_files.release([upload.file_id])
        count += 1
    return count


# --- uploads -------------------------------------------------------------------------------------


def attach_upload(draft: Draft, field: str, stored: Any) -> Upload:
    """Record a checked, stored file and add it to the answers of its question."""
    with transaction.atomic():
        upload = Upload.objects.create(
            draft=draft,
            definition_id=draft.version.definition_id,
            field=field,
            **file_fields(stored),
        )
        current = Draft.objects.select_for_update().get(pk=draft.pk)
        data = current.data if isinstance(current.data, dict) else {}
        files = get_path(data, field)
        files = list(files) if isinstance(files, list) else []
        files.append(upload.pk.hex)
        set_path(data, field, files)
        Draft.objects.filter(pk=draft.pk).update(data=data, updated_at=timezone.now())
        draft.data = data
    return upload


def remove_upload(draft: Draft, upload_id: str) -> None:
    from rathaus.forms.engine import delete_path

    upload = Upload.objects.filter(draft=draft, pk=upload_id).first() if upload_id else None
    if upload is None:
        return
    with transaction.atomic():
        current = Draft.objects.select_for_update().get(pk=draft.pk)
        data = current.data if isinstance(current.data, dict) else {}
        files = get_path(data, upload.field)
        if isinstance(files, list):
            remaining = [item for item in files if item != upload.pk.hex]
            if remaining:
                set_path(data, upload.field, remaining)
            else:
                delete_path(data, upload.field)
        Draft.objects.filter(pk=draft.pk).update(data=data, updated_at=timezone.now())
        draft.data = data
        upload.delete()
        stored_files.release([upload.file_id])


# --- submitting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    submission: Submission
    created: bool


def submit(
    draft: Draft,
    *,
    trust_level: str,
    channel: str = Channel.WEB,
    portal_url: str = "",
) -> SubmitResult:
    """Turn a complete draft into a submission, exactly once."""
    version = draft.version
    spec = spec_for(version)
    with transaction.atomic():
        current = Draft.objects.select_for_update().get(pk=draft.pk)
        if current.submitted_at is not None:
            existing = Submission.objects.filter(draft_id=current.pk).first()
            if existing is not None:
                return SubmitResult(existing, False)
        data = spec.prune(current.data if isinstance(current.data, dict) else {})
        errors = area.errors(version, spec, data)
        if errors:
            raise NotSubmittable(errors)
        referenced = referenced_uploads(spec, data)
        submission, created = _store(
            version,
            data,
            account=current.account,
            uploads=[upload for upload in current.uploads.all() if upload.pk.hex in referenced],
            trust_level=trust_level,
            channel=channel,
            draft_id=current.pk,
            portal_url=portal_url,
        )
        Draft.objects.filter(pk=current.pk).update(submitted_at=submission.submitted_at, data=data)
    return SubmitResult(submission, created)


def referenced_uploads(spec: FormSpec, data: Any) -> set[str]:
    """The upload ids that the data's file questions name."""
    return {
        item
        for path, element in spec.field_templates.items()
        if element.widget == "file"
        for item in _values_at(data, path)
    }


def submit_data(
    version: FormVersion,
    data: dict[str, Any],
    *,
    account: Account | None,
    trust_level: str,
    idempotency_key: str = "",
    payload_sha256: str = "",
    portal_url: str = "",
) -> SubmitResult:
    """Submit data that arrived in one piece (the API); the caller has validated it.

    Files are named by the ids that the upload endpoint returned; each must be an upload for
    this form that no other submission has claimed.
    """
    spec = spec_for(version)
    wanted = referenced_uploads(spec, data)
    uploads = {
        upload.pk.hex: upload
        for upload in Upload.objects.filter(
            pk__in=list(wanted), definition_id=version.definition_id, draft__isnull=True
        )
    }
    claimed = set(
        SubmissionAttachment.objects.filter(upload_id__in=list(uploads)).values_list(
            "upload_id", flat=True
        )
    )
    missing = sorted(item for item in wanted if item not in uploads or uploads[item].pk in claimed)
    if missing:
        raise NotSubmittable(
            {
                path: [_("This file could not be found. Please upload it again.")]
                for path in _paths_naming(spec, data, set(missing))
            }
        )
    submission, created = _store(
        version,
        data,
        account=account,
        uploads=list(uploads.values()),
        trust_level=trust_level,
        channel=Channel.API,
        idempotency_key=idempotency_key,
        payload_sha256=payload_sha256,
        portal_url=portal_url,
    )
    return SubmitResult(submission, created)


def _store(
    version: FormVersion,
    data: dict[str, Any],
    *,
    account: Account | None,
    uploads: list[Upload],
    **details: Any,
) -> tuple[Submission, bool]:
    """Store the data as a submission of the version with these uploads as its attachments.
    The receipt goes to the address the form asks for, or else to the account's."""
    contact = ""
    if version.receipt_email_field:
        value = get_path(data, version.receipt_email_field)
        contact = value if isinstance(value, str) else ""
    if account is not None and not contact:
        contact = account.user.email
    return create_submission(
        authority=version.definition.authority,
        offer=version.definition.offer,
        form_version=version,
        data=data,
        account=account,
        contact_email=contact,
        attachments=[
            AttachmentSpec(upload_id=upload.pk.hex, field=upload.field, **file_fields(upload))
            for upload in uploads
        ],
        **details,
    )


def _paths_naming(spec: FormSpec, data: Any, ids: set[str]) -> list[str]:
    found = []
    for path, element in spec.field_templates.items():
        if element.widget != "file":
            continue
        for concrete in _concrete_paths(data, path):
            values = get_path(data, concrete)
            if isinstance(values, list) and any(str(item) in ids for item in values):
                found.append(concrete)
    return found or [""]


def _concrete_paths(data: Any, template: str) -> list[str]:
    paths: list[tuple[str, Any]] = [("", data)]
    for part in template.split("."):
        following: list[tuple[str, Any]] = []
        for prefix, value in paths:
            if part == "*" and isinstance(value, list):
                following.extend(
                    (f"{prefix}.{index}" if prefix else str(index), item)
                    for index, item in enumerate(value)
                )
            elif isinstance(value, dict) and part in value:
                following.append((f"{prefix}.{part}" if prefix else part, value[part]))
        paths = following
    return [prefix for prefix, _value in paths]


def _values_at(data: Any, template: str) -> list[str]:
    """Every value at a path template (``*`` for each entry of a list)."""
    current: list[Any] = [data]
    for part in template.split("."):
        following: list[Any] = []
        for item in current:
            if part == "*" and isinstance(item, list):
                following.extend(item)
            elif isinstance(item, dict) and part in item:
                following.append(item[part])
        current = following
    values: list[str] = []
    for item in current:
        if isinstance(item, list):
            values.extend(str(entry) for entry in item)
    return values

"""Reading and changing the legal texts of an authority; the only writer (ADR 0024)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from rathaus.core import audit, files, roles
from rathaus.core.models import Authority, Membership, StoredFile
from rathaus.legal.models import LegalTexts

EDITING_ROLES = roles.MANAGING

VIDEO_RULES = files.UploadRules(accept=(files.MP4, files.WEBM), max_bytes=20 * 1024 * 1024)
CAPTION_RULES = files.UploadRules(accept=(files.VTT,), max_bytes=512 * 1024)

TEXT_FIELDS = (
    "representative", "legal_form", "vat_id", "supervisory_authority", "imprint_notes",
    "data_protection_officer", "data_protection_authority", "privacy_notes",
    "accessibility_contact", "conciliation_body", "easy_language", "sign_language", "demo",
)  # fmt: skip


def texts_for(authority: Authority) -> LegalTexts:
    """The authority's texts; an authority without any gets empty ones (not stored)."""
    found = LegalTexts.objects.filter(authority=authority).first()
    return found if found is not None else LegalTexts(authority=authority)


def editable_authorities(user: Any) -> list[Authority]:
    """The authorities whose legal texts the user may change: heads and administrators of any
    of its units (superusers: all)."""
    if user.is_superuser:
        return list(Authority.objects.order_by("name"))
    ids = Membership.objects.filter(user_id=user.pk or 0, role__name__in=EDITING_ROLES).values_list(
        "org_unit__authority_id", flat=True
    )
    return list(Authority.objects.filter(pk__in=ids).order_by("name"))


def may_edit(user: Any, authority: Authority) -> bool:
    return authority in editable_authorities(user)


def save_texts(
    authority: Authority,
    values: dict[str, Any],
    *,
    actor: Any,
    video: StoredFile | None = None,
    captions: StoredFile | None = None,
    remove_video: bool = False,
    remove_captions: bool = False,
) -> LegalTexts:
    """Store the texts (and new or removed files), audited; released files are deleted."""
    with transaction.atomic():
        texts, _created = LegalTexts.objects.select_for_update().get_or_create(authority=authority)
        changed = [
            name for name in TEXT_FIELDS if name in values and getattr(texts, name) != values[name]
        ]
        for name in changed:
            setattr(texts, name, values[name])
        released: list[StoredFile | None] = []
        if remove_video or video is not None:
            released.append(texts.sign_language_video)
            texts.sign_language_video = video
            changed.append("sign_language_video")
        if remove_captions or captions is not None:
            released.append(texts.sign_language_captions)
            texts.sign_language_captions = captions
            changed.append("sign_language_captions")
        texts.updated_by = actor
        texts.save()
        audit.record("legal.texts_changed", actor=actor, authority=authority, obj=texts,
                     details={"fields": changed})  # fmt: skip
        files.release(released)
    return texts


def is_published_file(request: HttpRequest, stored: StoredFile) -> bool:
    """The sign-language video and its captions are public, like the page that shows them."""
    return LegalTexts.objects.filter(sign_language_video=stored).exists() or (
        LegalTexts.objects.filter(sign_language_captions=stored).exists()
    )

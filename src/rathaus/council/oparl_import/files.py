"""``--files``: the content of imported files, fetched like any other file from outside.

After the objects are committed, each file of the body without content here that has an
address at the source is fetched (``downloadUrl``, else ``accessUrl``) within the size limit of
uploads, goes through the upload checks (:func:`rathaus.core.files.check_upload`: type from the
content, virus scan) and is kept as the file's ``stored`` content; its text is read for the
search. Download, checks and text reading run outside any transaction: only the update of the
one row is a (short) transaction of its own, so the rest of the portal can write meanwhile.

The media type of a file with content here is the checked one, never the source's claim
(:func:`keep_checked`); when the source changes a file's size, checksum or address, the content
kept here is let go and fetched (and checked) again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from rathaus.core.files import (
    StoredFile,
    UploadRejected,
    UploadRules,
    check_upload,
    file_limit,
    forget,
    put_bytes,
)
from rathaus.core.files.checks import DOCX, JPEG, ODT, PDF, PNG
from rathaus.council.models import Body, File
from rathaus.council.oparl_import.client import Client, Stop
from rathaus.council.oparl_import.report import Report
from rathaus.documents.fulltext import read_text
from rathaus.opendata import safe_http

ACCEPT = (PDF, DOCX, ODT, PNG, JPEG)
# What the source says about the content: when one of them changes, the content kept here is
# no longer the source's and is fetched again.
CONTENT_CLAIMS = ("size", "sha1_checksum", "sha512_checksum", "external_access_url",
                  "external_download_url")  # fmt: skip


def keep_checked(row: File, values: dict[str, Any]) -> StoredFile | None:
    """Adjust the imported ``values`` of a file whose content is kept here: its media type stays
    the checked one; when the source's claims about the content change, the content is let go
    (returned, for :func:`rathaus.core.files.release`) so that ``--files`` fetches it again."""
    stored = row.stored
    if stored is None:
        return None
    if not any(name in values and getattr(row, name) != values[name] for name in CONTENT_CLAIMS):
        # never the source's claim: that could make the checked content be served as HTML
        values["mime_type"] = stored.media_type
        return None
    values["stored"] = None
    if "text" not in values:  # the text was read from the content let go
        values["text"], values["text_state"] = "", File.TextState.PENDING
    return stored


def fetch_all(client: Client, body: Body, kept: dict[str, Any], report: Report,
              say: Callable[[str], None]) -> None:  # fmt: skip
    """Fetch the content of every file of ``body`` that has none here yet (``kept``: the files
    of this run, those with content are counted as unchanged)."""
    rules = UploadRules(accept=ACCEPT, max_bytes=file_limit(settings.RATHAUS_UPLOAD_MAX_BYTES))
    unchanged = sum(1 for row in kept.values() if row.stored_id and not row.deleted)
    if unchanged:
        report.files["unchanged"] += unchanged
    missing = list(
        File.objects.filter(body=body, deleted=False, stored__isnull=True)
        .exclude(Q(external_access_url="") & Q(external_download_url=""))
        .order_by("pk").values_list("pk", flat=True)
    )  # fmt: skip
    for pk in missing:
        row = File.objects.filter(pk=pk).first()
        if row is not None:
            _fetch_one(client, row, rules, report, say)


def _fetch_one(client: Client, row: File, rules: UploadRules, report: Report,
               say: Callable[[str], None]) -> None:  # fmt: skip
    origin = row.origin
    address = row.external_download_url or row.external_access_url
    try:
        with translation.override("en"):
            answer = safe_http.fetch(address, timeout=min(client.timeout, client._left()),
                                     max_bytes=rules.max_bytes)  # fmt: skip
    except (safe_http.FetchError, Stop) as exc:
        report.note("File", origin, f"content: {exc}")
        report.files["not fetched"] += 1
        return
    if answer.status != 200:
        report.note("File", origin, f"content: the server answered {answer.status}")
        report.files["not fetched"] += 1
        return
    if row.sha1_checksum and hashlib.sha1(answer.body).hexdigest() != row.sha1_checksum:  # noqa: S324
        report.note("File", origin, "content: the SHA-1 checksum does not match")
        report.files["refused"] += 1
        return
    # the type the source declared for the file; a server may answer with a generic one
    declared = row.mime_type or answer.content_type
    upload = SimpleUploadedFile(row.file_name or "datei", answer.body, declared)
    try:
        checked = check_upload(upload, rules)
    except UploadRejected as rejected:
        report.note("File", origin, f"content: {rejected.code}")
        report.files["refused"] += 1
        return
    try:
        text, text_state = read_text(answer.body, checked.content_type), File.TextState.DONE
    except LookupError:
        text, text_state = "", File.TextState.NONE
    except Exception:  # a file whose text cannot be read is still kept
        text, text_state = "", File.TextState.FAILED
    key, _sha256 = put_bytes(answer.body)
    checked.discard()
    if row.size is not None and row.size != checked.size:
        report.note("File", origin, f"size: the source says {row.size} bytes, the content has "
                                    f"{checked.size}")  # fmt: skip
    claims = {name: getattr(row, name) for name in CONTENT_CLAIMS}
    with transaction.atomic():
        current = File.objects.select_for_update().filter(pk=row.pk).first()
        if (
            current is None
            or current.deleted
            or current.stored_id is not None
            or any(getattr(current, name) != value for name, value in claims.items())
        ):
            stored = None
        else:
            stored = StoredFile.objects.create(
                name=checked.original_name, media_type=checked.content_type, size=checked.size,
                sha256=checked.sha256, key=key,
            )  # fmt: skip
            current.stored = stored
            current.mime_type = stored.media_type  # the checked type, not the source's claim
            if current.size is None:
                current.size = stored.size
            current.text, current.text_state = text, text_state
            current.save(touch=False, update_fields=["stored", "mime_type", "size", "text",
                                                     "text_state"])  # fmt: skip
    if stored is None:  # changed or deleted while it was fetched: the next run sees to it
        forget(StoredFile(key=key))
        report.note("File", origin, "content: the file changed during the import")
        report.files["not fetched"] += 1
        return
    report.files["stored"] += 1
    say(f"  file {origin}: stored ({stored.size} bytes)")

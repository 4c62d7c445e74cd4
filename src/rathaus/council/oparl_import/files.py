"""``--files``: the content of imported files, fetched like any other file from outside.

Each file's ``downloadUrl`` (else ``accessUrl``) is fetched within the size limit of uploads,
goes through the upload checks (:func:`rathaus.core.files.check_and_store`: type from the
content, virus scan) and is kept as the file's ``stored`` content; its text is read for the
search. A file whose content is already kept (same size and checksum at the source) is not
fetched again. Without ``--files`` only the addresses at the source are kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from rathaus.core.files import UploadRejected, UploadRules, check_and_store, file_limit
from rathaus.core.files.checks import DOCX, JPEG, ODT, PDF, PNG
from rathaus.council.oparl_import.client import Client, Stop
from rathaus.council.oparl_import.report import Report
from rathaus.documents.fulltext import read_text
from rathaus.opendata import safe_http

ACCEPT = (PDF, DOCX, ODT, PNG, JPEG)


def fetch_all(client: Client, files: dict[str, Any], report: Report,
              say: Callable[[str], None]) -> None:  # fmt: skip
    rules = UploadRules(accept=ACCEPT, max_bytes=file_limit(settings.RATHAUS_UPLOAD_MAX_BYTES))
    for origin, row in files.items():
        address = row.external_download_url or row.external_access_url
        if row.deleted or not address:
            continue
        if row.stored_id and row.stored.size == row.size:
            report.files["unchanged"] += 1
            continue
        try:
            client._left()
            with translation.override("en"):
                answer = safe_http.fetch(address, timeout=min(client.timeout, client._left()),
                                         max_bytes=rules.max_bytes)  # fmt: skip
        except (safe_http.FetchError, Stop) as exc:
            report.note("File", origin, f"content: {exc}")
            report.files["not fetched"] += 1
            continue
        if answer.status != 200:
            report.note("File", origin, f"content: the server answered {answer.status}")
            report.files["not fetched"] += 1
            continue
        if row.sha1_checksum and hashlib.sha1(answer.body).hexdigest() != row.sha1_checksum:  # noqa: S324
            report.note("File", origin, "content: the SHA-1 checksum does not match")
            report.files["refused"] += 1
            continue
        # the type the source declared for the file; a server may answer with a generic one
        declared = row.mime_type or answer.content_type
        upload = SimpleUploadedFile(row.file_name or "datei", answer.body, declared)
        try:
            stored = check_and_store(upload, rules)
        except UploadRejected as rejected:
            report.note("File", origin, f"content: {rejected.code}")
            report.files["refused"] += 1
            continue
        row.stored = stored.file
        row.size = stored.file.size
        try:
            row.text = read_text(answer.body, stored.file.media_type)
            row.text_state = "done"
        except LookupError:
            row.text_state = "none"
        except Exception:  # a file whose text cannot be read is still kept
            row.text_state = "failed"
        row.save(touch=False, update_fields=["stored", "size", "text", "text_state"])
        report.files["stored"] += 1
        say(f"  file {origin}: stored ({row.size} bytes)")

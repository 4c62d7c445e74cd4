"""How a submission reaches a destination elsewhere: transport plugins (ADR 0015, ADR 0053).

A transport speaks the wire protocol of ``docs/exchange.md`` (the FIT-Connect Submission API
shape) to one remote exchange API. The one shipped is ``fitconnect``: HTTP with ``urllib``, a
timeout on every request, JSON bodies, ``application/jose`` for encrypted attachments and the
sender token as ``Authorization: Bearer``.

Every failure is a :class:`TransportError`. ``retryable`` says whether the same request may
succeed later: the receiver was not reachable, timed out, answered 5xx or 429. A 4xx answer
(a problem with what we sent) is not retried; the sender marks the submission as stuck and
staff decide.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from rathaus.core.plugins import Registry

TIMEOUT = 20
"""Seconds a request may take, connecting included."""

MAX_ANSWER = 5 * 1024 * 1024
"""Bytes of an answer we read at most (an event log is small)."""


IDS = ("destinationId", "submissionId", "caseId")


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: urllib would carry the bearer token to the new host and turn a
    POST into a GET; the exchange's addresses are configured, not discovered."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects, urllib.request.ProxyHandler({}))
"""The opener of every exchange request: no redirects, no proxies from the environment."""


class TransportError(Exception):
    """A request to the remote failed; ``retryable`` False means "not without a change"."""

    def __init__(self, message: str, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class Remote:
    """Where and as whom we talk: the remote's exchange API and our sender token there."""

    base_url: str
    token: str = ""


@dataclass(frozen=True)
class Announced:
    destination_id: str
    submission_id: str
    case_id: str


class Transport(Protocol):
    def announce(
        self, remote: Remote, body: dict[str, Any], *, idempotency_key: str
    ) -> Announced: ...

    def upload_attachment(
        self, remote: Remote, submission_id: str, attachment_id: str, jwe: str
    ) -> None: ...

    def submit(
        self, remote: Remote, submission_id: str, encrypted_metadata: str, encrypted_data: str
    ) -> Announced: ...

    def events(self, remote: Remote, case_id: str) -> list[str]: ...

    def destination(self, remote: Remote, destination_id: str) -> dict[str, Any]: ...

    def key(self, remote: Remote, destination_id: str, kid: str) -> dict[str, Any]: ...

    def routes(self, remote: Remote, leika_key: str, ars: str) -> dict[str, Any]: ...


transports: Registry[Transport] = Registry("exchange transport")


def _problem_detail(body: bytes) -> str:
    try:
        document = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    if isinstance(document, dict):
        return str(document.get("detail") or document.get("title") or "")[:300]
    return ""


class FitConnectHttp:
    """The wire protocol over HTTP(S), one request per call."""

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout

    def _request(
        self,
        remote: Remote,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw: bytes | None = None,
        content_type: str = "",
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, bytes]:
        url = remote.base_url.rstrip("/") + path
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise TransportError(f"{url}: only http and https addresses are used", False)
        data = raw
        sent_headers = {"Accept": "application/json", **(headers or {})}
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent_headers["Content-Type"] = "application/json"
        elif content_type:
            sent_headers["Content-Type"] = content_type
        if auth and remote.token:
            sent_headers["Authorization"] = f"Bearer {remote.token}"
        # the scheme is checked above: http or https only
        request = urllib.request.Request(url, data=data, method=method, headers=sent_headers)  # noqa: S310
        try:
            with NO_REDIRECTS.open(request, timeout=self.timeout) as answer:
                return answer.status, answer.read(MAX_ANSWER)
        except urllib.error.HTTPError as error:
            body = error.read(MAX_ANSWER) if error.fp is not None else b""
            status = error.code
            detail = _problem_detail(body)
            retryable = status >= 500 or status in (408, 429)
            raise TransportError(
                f"{method} {path}: {status} {detail}".strip(), retryable, status
            ) from None
        except TimeoutError:
            raise TransportError(
                f"{method} {path}: no answer within {self.timeout} s", True
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise TransportError(f"{method} {path}: not reachable ({reason})", True) from None

    def _json(self, status: int, body: bytes, what: str) -> dict[str, Any]:
        try:
            document = json.loads(body)
        except ValueError:
            raise TransportError(f"{what}: the answer is not JSON", True, status) from None
        if not isinstance(document, dict):
            raise TransportError(f"{what}: the answer is no JSON object", True, status)
        return document

    def _announced(self, status: int, body: bytes, what: str) -> Announced:
        document = self._json(status, body, what)
        try:
            ids = [str(uuid.UUID(str(document[key]))) for key in IDS]
        except KeyError as missing:
            raise TransportError(f"{what}: the answer lacks {missing}", True, status) from None
        except (ValueError, TypeError, AttributeError):
            # a receiver that answers so will not answer otherwise on a retry
            raise TransportError(f"{what}: the answer's ids are not UUIDs", False, status) from None
        return Announced(destination_id=ids[0], submission_id=ids[1], case_id=ids[2])

    def announce(self, remote: Remote, body: dict[str, Any], *, idempotency_key: str) -> Announced:
        status, answer = self._request(
            remote, "POST", "/submissions", json_body=body,
            headers={"Idempotency-Key": idempotency_key},
        )  # fmt: skip
        return self._announced(status, answer, "announce")

    def upload_attachment(
        self, remote: Remote, submission_id: str, attachment_id: str, jwe: str
    ) -> None:
        self._request(
            remote, "PUT", f"/submissions/{submission_id}/attachments/{attachment_id}",
            raw=jwe.encode("ascii"), content_type="application/jose",
        )  # fmt: skip

    def submit(
        self, remote: Remote, submission_id: str, encrypted_metadata: str, encrypted_data: str
    ) -> Announced:
        status, answer = self._request(
            remote, "PUT", f"/submissions/{submission_id}",
            json_body={"encryptedMetadata": encrypted_metadata, "encryptedData": encrypted_data},
        )  # fmt: skip
        return self._announced(status, answer, "submit")

    def events(self, remote: Remote, case_id: str) -> list[str]:
        status, answer = self._request(remote, "GET", f"/cases/{case_id}/events")
        log = self._json(status, answer, "event log").get("eventLog")
        if not isinstance(log, list) or not all(isinstance(token, str) for token in log):
            raise TransportError("event log: eventLog is no list of tokens", True, status)
        return log

    def destination(self, remote: Remote, destination_id: str) -> dict[str, Any]:
        status, answer = self._request(remote, "GET", f"/destinations/{destination_id}", auth=False)
        return self._json(status, answer, "destination")

    def key(self, remote: Remote, destination_id: str, kid: str) -> dict[str, Any]:
        path = f"/destinations/{destination_id}/keys/{urllib.parse.quote(kid, safe='')}"
        status, answer = self._request(remote, "GET", path, auth=False)
        return self._json(status, answer, "key")

    def routes(self, remote: Remote, leika_key: str, ars: str) -> dict[str, Any]:
        query = urllib.parse.urlencode({"leikaKey": leika_key, "ars": ars})
        status, answer = self._request(remote, "GET", f"/routes?{query}", auth=False)
        return self._json(status, answer, "routes")

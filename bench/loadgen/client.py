"""A small browser for the load run: cookies, CSRF-checked forms, timing of every request.

Standard library only. Each virtual user has its own :class:`Browser` (its own cookies, so its
own session and CSRF token); every request is timed and recorded under the kind of traffic it
belongs to (browsing, booking, submission, staff), whether it succeeded or not.
"""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

TIMEOUT = 30  # seconds; a request that takes longer counts as an error ("timeout")
SLOW = 5.0  # seconds; slower requests are listed with the faults near them


class StepFailed(Exception):
    """A request of a scenario failed; the virtual user gives up this visit."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """The path of a redirect (the host part dropped: the proxy may name another one)."""
        target = self.headers.get("location", "")
        if "://" in target:
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        return target


class Recorder:
    """Latencies and errors of all virtual users, by kind of traffic; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: Counter[tuple[str, str]] = Counter()
        self.requests: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self.slow: list[tuple[float, str, float]] = []  # (when, kind, seconds) over SLOW

    def record(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.requests[kind] += 1
            if seconds > SLOW:
                self.slow.append((time.monotonic() - seconds, kind, seconds))
            if error:
                self.errors[(kind, error)] += 1
            else:
                self.latencies.setdefault(kind, []).append(seconds)

    def count(self, event: str) -> None:
        with self.lock:
            self.events[event] += 1


class Browser:
    """One visitor: its cookies, its own client address, and its requests to ``base_url``.

    Each visitor connects from its own loopback address (127.0.0.0/8 is all local on Linux),
    so that the proxy passes a distinct client address on and the per-address rate limits
    count per visitor, as they do for citizens on the internet.
    """

    def __init__(self, base_url: str, recorder: Recorder, source: str = "") -> None:
        scheme, _sep, rest = base_url.partition("://")
        self.scheme = scheme
        self.host = rest.split("/", 1)[0]
        name, _colon, port = self.host.partition(":")
        self.address = (name, int(port or 80))
        self.source = source
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.kind = "browsing"
        self.sent = 0  # requests so far

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "",
        referer: str = "",
    ) -> Response:
        """One request on a new connection; a failure is recorded and raised as StepFailed.

        3xx and 4xx answers are returned (the scenario decides); 5xx, a refused connection or
        a timeout are failures.
        """
        headers = {"Host": self.host, "User-Agent": "rathaus-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = f"{self.scheme}://{self.host}"
            headers["Referer"] = f"{self.scheme}://{self.host}{referer or path}"
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        self.sent += 1
        started = time.perf_counter()
        source = (self.source, 0) if self.source else None
        connection = http.client.HTTPConnection(
            *self.address, timeout=TIMEOUT, source_address=source
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
        except TimeoutError:
            self._fail(started, "timeout", method, path)
        except ConnectionRefusedError:
            self._fail(started, "connection refused", method, path)
        except (OSError, http.client.HTTPException) as problem:
            self._fail(started, f"connection: {type(problem).__name__}", method, path)
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        response = Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, payload)
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                self._store_cookie(value)
        if answer.status >= 500:
            self.recorder.record(self.kind, elapsed, f"HTTP {answer.status}")
            raise StepFailed(f"{method} {path}: HTTP {answer.status}")
        self.recorder.record(self.kind, elapsed)
        return response

    def _fail(self, started: float, reason: str, method: str, path: str) -> None:
        self.recorder.record(self.kind, time.perf_counter() - started, reason)
        raise StepFailed(f"{method} {path}: {reason}")

    def _store_cookie(self, header: str) -> None:
        pair, _sep, attributes = header.partition(";")
        name, _eq, value = pair.strip().partition("=")
        expired = "max-age=0" in attributes.lower().replace(" ", "")
        if expired or not value:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def get(self, path: str, expect: tuple[int, ...] = (200,)) -> Response:
        response = self.request("GET", path)
        if response.status not in expect:
            self._unexpected(response, "GET", path)
        return response

    def post(
        self, path: str, fields: list[tuple[str, Any]], referer: str = "", retries: int = 0
    ) -> Response:
        """POST a form as a browser does (multipart when a field is a file); ``retries``: send
        the same request again after a failure, as a visitor who presses the button again."""
        if any(isinstance(value, FileField) for _name, value in fields):
            body, content_type = multipart(fields)
        else:
            from urllib.parse import urlencode

            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        for attempt in range(retries + 1):
            try:
                return self.request("POST", path, body, content_type, referer)
            except StepFailed:
                if attempt == retries:
                    raise
                self.recorder.count(f"{self.kind}: POST sent again after a failure")
                time.sleep(1)
        raise AssertionError("unreachable")

    def _unexpected(self, response: Response, method: str, path: str) -> None:
        # the request itself was answered; the visit cannot go on as a browser's would
        self.recorder.count(f"{self.kind}: unexpected HTTP {response.status} on {method}")
        raise StepFailed(f"{method} {path}: unexpected HTTP {response.status}")


# --- forms ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileField:
    filename: str
    content_type: str
    content: bytes


def multipart(fields: list[tuple[str, Any]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        if isinstance(value, FileField):
            head = (
                f'Content-Disposition: form-data; name="{name}"; filename="{value.filename}"\r\n'
                f"Content-Type: {value.content_type}\r\n"
            )
            data = value.content
        else:
            head, data = f'Content-Disposition: form-data; name="{name}"\r\n', str(value).encode()
        parts.append(f"--{boundary}\r\n{head}\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    inputs: list[dict[str, str]] = field(default_factory=list)

    def names(self) -> set[str]:
        return {item["name"] for item in self.inputs if item.get("name")}

    def fields(self, values: dict[str, Any], button: tuple[str, str] | None = None) -> list:
        """What a browser sends: the form's successful controls with ``values`` filled in
        (a radio or checkbox named in ``values`` is ticked where its value matches)."""
        sent: list[tuple[str, Any]] = []
        for item in self.inputs:
            name, kind = item.get("name", ""), item.get("type", "text")
            if (
                not name
                or item["tag"] == "button"
                or kind in {"submit", "button", "image", "reset"}
            ):
                continue
            if kind in {"radio", "checkbox"}:
                ticked = (
                    str(values[name]) == item.get("value", "on")
                    if name in values
                    else "checked" in item
                )
                if ticked:
                    sent.append((name, item.get("value", "on")))
            elif kind == "file":
                if name in values:
                    sent.append((name, values[name]))
            else:
                sent.append((name, values.get(name, item.get("value", ""))))
        if button is not None:
            sent.append(button)
        return sent


class PageParser(HTMLParser):
    """The forms (with their controls) and the links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href", "").startswith("/"):
            self.links.append(values["href"])
        elif tag == "form":
            self._form = Form(
                values.get("action", ""),
                values.get("method", "get").lower(),
                values.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif tag in {"input", "button", "textarea", "select"} and self._form is not None:
            item = {"tag": tag, **values}
            if tag == "textarea":
                item["value"] = ""
                self._textarea = item
            self._form.inputs.append(item)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None


def parse(page: Response) -> PageParser:
    parser = PageParser()
    parser.feed(page.text)
    parser.close()
    return parser


def post_form(page: Response) -> Form:
    """The page's main POST form: the first with a CSRF token that is not the language switch."""
    for form in parse(page).forms:
        language_switch = form.action.startswith("/i18n/")
        if form.method == "post" and "csrfmiddlewaretoken" in form.names() and not language_switch:
            return form
    raise StepFailed("no form on the page")

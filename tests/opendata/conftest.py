"""Fixtures of the opendata tests: a small HTTP server in a thread for the catalogue import and
the link check (never the internet)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer (a server that does not answer in time)
    head_status: int | None = None  # another status for HEAD (servers that refuse HEAD)


@dataclass
class Server:
    base: str
    pages: dict[str, Page]
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, status: int = 200, body: bytes = b"", **options: object) -> None:
        """Answer ``path`` (with its query) with this status and body; options: headers,
        delay (seconds before answering), head_status (another status for HEAD)."""
        self.pages[path] = Page(status, body, **options)  # type: ignore[arg-type]


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A local HTTP server; ``http_server.add(path, status, body, …)`` says what it answers."""
    state = Server("", {})

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def answer(self, method: str) -> None:
            state.requests.append((method, self.path, dict(self.headers)))
            page = state.pages.get(self.path, Page(404, b"not found"))
            if page.delay:
                time.sleep(page.delay)
            status = page.head_status if method == "HEAD" and page.head_status else page.status
            self.send_response(status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            if method != "HEAD":
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(page.body)

        def do_GET(self) -> None:
            self.answer("GET")

        def do_HEAD(self) -> None:
            self.answer("HEAD")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

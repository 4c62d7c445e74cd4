"""A small OParl server for the importer's tests, run as a real process on a free port.

``python tests/council/oparl_server.py ROOT PORT`` serves ``ROOT/<path>.json`` for ``/<path>``
with ``{base}`` replaced by its own address. ``ROOT/_behaviour.json`` makes some addresses
misbehave as real servers do: ``{"/quirks/meetings": {"fail": 1}}`` answers 500 the first time,
``{"delay": 3}`` answers only after 3 seconds. A list asked with ``modified_since`` gets
``<path>.since.json``, or an empty list when there is none. ``/<name>.pdf`` (any other
suffix) serves ``ROOT/<name>.pdf`` as it is, for the content of files. Every request is printed
(one line) so that a test can see what the importer asked for.
"""

from __future__ import annotations

import json
import mimetypes
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

EMPTY_LIST = b'{"data": [], "pagination": {}, "links": {}}'


def serve(root: Path, port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    behaviour_file = root / "_behaviour.json"
    behaviour = json.loads(behaviour_file.read_text()) if behaviour_file.exists() else {}
    asked: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            parts = urlsplit(self.path)
            print(f"GET {self.path}", flush=True)
            rule = behaviour.get(parts.path, {})
            with lock:
                asked[parts.path] += 1
                count = asked[parts.path]
            if count <= rule.get("fail", 0):
                self._answer(500, b"Internal Server Error", "text/plain")
                return
            time.sleep(rule.get("delay", 0))
            path = root / (parts.path.strip("/") + ".json")
            if "modified_since" in parse_qs(parts.query):
                since = path.with_suffix(".since.json")
                if since.is_file():
                    path = since
                else:
                    self._answer(200, EMPTY_LIST, "application/json")
                    return
            raw = root / parts.path.strip("/")
            if (
                not path.is_file()
                and raw.suffix
                and raw.is_file()
                and (root.resolve() in raw.resolve().parents)
            ):
                kind = mimetypes.guess_type(raw.name)[0] or "application/octet-stream"
                self._answer(200, raw.read_bytes(), kind)  # a file's content, as it is
                return
            if not path.is_file() or root.resolve() not in path.resolve().parents:
                self._answer(404, b'{"error": "not found"}', "application/json")
                return
            body = path.read_bytes().replace(b"{base}", base.encode())
            self._answer(200, body, "application/json")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))

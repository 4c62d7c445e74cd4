"""The two log formats of ``RATHAUS_LOG_FORMAT`` (docs/health-and-logs.md).

``plain``: one readable line — the time in ISO 8601 with its UTC offset, the request id in
brackets when there is one; line breaks in the message are escaped (``\\n``, ``\\r``, …) so that a
logged value cannot start a forged line, and the lines of a traceback are indented.
``json``: one JSON object per line — ``time`` (ISO 8601, UTC, milliseconds), ``level``,
``logger``, ``message``, ``request_id`` (null outside a request or its tasks) and, when an
exception is logged, ``exception`` (its traceback as text).

Standard library only (and the request id's context variable): gunicorn's master process uses
these formatters before Django is loaded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rathaus.core.requestid import current

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"

# Every character str.splitlines() breaks a line at, escaped as Python would write it.
LINE_BREAKS = {
    code: ascii(chr(code))[1:-1]
    for code in (0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)
}


ACCESS_ATOM = "{x-request-id}o"  # gunicorn's access line: the answer's X-Request-ID header


def request_id_of(record: logging.LogRecord) -> str | None:
    """The id given with ``extra={"request_id": …}`` or with the request, or the one the
    answer named (gunicorn's access line, written after the request), else the one current
    while logging."""
    given = getattr(record, "request_id", None)
    if isinstance(given, str) and given:
        return given
    # Django logs a 4xx/5xx answer ("Not Found: …") after the middleware, with the request
    given = getattr(getattr(record, "request", None), "request_id", None)
    if isinstance(given, str) and given:
        return given
    if isinstance(record.args, Mapping):
        answered = record.args.get(ACCESS_ATOM)
        if isinstance(answered, str) and answered not in {"", "-"}:
            return answered
    return current()


def one_line(text: str) -> str:
    """``text`` without line breaks: each is escaped (log injection)."""
    return text.translate(LINE_BREAKS)


def _indented(text: str) -> str:
    """A traceback's lines, each indented: none of them can pass for a log line of its own."""
    return "\n".join("    " + one_line(line) for line in text.splitlines())


class PlainFormatter(logging.Formatter):
    def __init__(self, fmt: str | None = None, datefmt: str | None = None, **kwargs: Any) -> None:
        super().__init__(fmt or PLAIN_FORMAT, datefmt, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        request_id = request_id_of(record)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = one_line(record.message)
        return super().formatMessage(record)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt:
            return super().formatTime(record, datefmt)
        moment = datetime.fromtimestamp(record.created, tz=UTC).astimezone()
        return moment.isoformat(timespec="milliseconds")

    def formatException(self, ei: Any) -> str:
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented(super().formatStack(stack_info))


JSON_LINE_BREAKS = {code: f"\\u{code:04x}" for code in (0x85, 0x2028, 0x2029)}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_of(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes control characters but not U+0085, U+2028, U+2029 (ensure_ascii off)
        return json.dumps(entry, ensure_ascii=False, default=str).translate(JSON_LINE_BREAKS)


def formatter(log_format: str) -> dict[str, str]:
    """The ``logging.config.dictConfig`` entry of the formatter for ``RATHAUS_LOG_FORMAT``."""
    name = "JsonFormatter" if log_format == "json" else "PlainFormatter"
    return {"()": f"rathaus.core.logformat.{name}"}

"""The two log formats of ``RATHAUS_LOG_FORMAT`` (docs/health-and-logs.md).

``plain``: one readable line, with the request id in brackets when there is one.
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


class PlainFormatter(logging.Formatter):
    def __init__(self, fmt: str | None = None, datefmt: str | None = None, **kwargs: Any) -> None:
        super().__init__(fmt or PLAIN_FORMAT, datefmt, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        request_id = request_id_of(record)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)


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
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: str) -> dict[str, str]:
    """The ``logging.config.dictConfig`` entry of the formatter for ``RATHAUS_LOG_FORMAT``."""
    name = "JsonFormatter" if log_format == "json" else "PlainFormatter"
    return {"()": f"rathaus.core.logformat.{name}"}

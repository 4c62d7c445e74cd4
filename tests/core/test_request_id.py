"""The request id: taken from a trusted proxy or made, answered in X-Request-ID, written in the
log lines of the request and of the tasks it queued, in the worker too (docs/health-and-logs.md)."""

from __future__ import annotations

import json
import logging
import re
import signal
import sys
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rathaus.core import requestid
from rathaus.core.logformat import JsonFormatter, PlainFormatter
from rathaus.core.requestid import RequestIdMiddleware
from tests.support import database_env, start_worker
from tests.tasks_for_tests import add, log_and_queue

pytestmark = pytest.mark.database  # a real worker process: runs on PostgreSQL too (ADR 0036)

MADE = re.compile(r"[0-9a-f]{32}")


def test_each_request_gets_a_new_id_in_the_answer(client):
    first = client.get("/health/live")["X-Request-ID"]
    second = client.get("/health/live")["X-Request-ID"]
    assert MADE.fullmatch(first)
    assert MADE.fullmatch(second)
    assert first != second
    assert requestid.current() is None  # nothing left behind after the request


@pytest.mark.parametrize("trusted", [[], ["10.0.0.0/8"]])
def test_an_id_from_an_address_that_is_no_trusted_proxy_is_ignored(client, settings, trusted):
    settings.RATHAUS_TRUSTED_PROXIES = trusted  # the test client's address is 127.0.0.1
    answer = client.get("/health/live", headers={"X-Request-ID": "from-anyone"})
    assert MADE.fullmatch(answer["X-Request-ID"])


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        ("3f2a-proxy.id_7", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("two words", False),
        ("forged\nline", False),
        ('{"level":"ERROR"}', False),
        ("-starts-with-a-dash", False),
    ],
)
def test_a_trusted_proxy_gives_the_id_if_it_is_a_short_safe_token(client, settings, given, taken):
    settings.RATHAUS_TRUSTED_PROXIES = ["127.0.0.1"]
    answer = client.get("/health/live", headers={"X-Request-ID": given})
    if taken:
        assert answer["X-Request-ID"] == given
    else:
        assert MADE.fullmatch(answer["X-Request-ID"])


@pytest.mark.django_db
def test_django_logs_an_error_answer_under_the_request_id(client, caplog):
    """ "Not Found: …" is logged after the middleware ran; the line still names the request."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = client.get("/gibt-es-nicht/")
    assert answer.status_code == 404
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == answer["X-Request-ID"]
    assert line["message"] == "Not Found: /gibt-es-nicht/"
    assert f"[{answer['X-Request-ID']}]" in PlainFormatter().format(record)


def test_json_lines_carry_the_exception_text():
    try:
        raise ValueError("broken input")
    except ValueError:
        record = logging.getLogger("rathaus.x").makeRecord(
            "rathaus.x", logging.ERROR, __file__, 1, "failed: %s", ("42",), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert set(line) == {"time", "level", "logger", "message", "request_id", "exception"}
    assert (line["level"], line["logger"], line["message"]) == ("ERROR", "rathaus.x", "failed: 42")
    assert line["request_id"] is None
    assert "Traceback" in line["exception"]
    assert "ValueError: broken input" in line["exception"]
    assert "\n" not in JsonFormatter().format(record)  # one object per line


def during_request(request_id: str, work) -> None:
    """Run ``work`` inside a request that a trusted proxy named ``request_id``."""
    request = RequestFactory().get("/", headers={"X-Request-ID": request_id})

    def view(request):
        work()
        return HttpResponse()

    assert RequestIdMiddleware(view)(request)["X-Request-ID"] == request_id


@pytest.mark.django_db
def test_a_task_queued_during_a_request_keeps_its_id(settings):
    settings.RATHAUS_TRUSTED_PROXIES = ["127.0.0.1"]
    outside = add.enqueue(1, 2)
    results = []
    during_request("req-7", lambda: results.append(add.enqueue(3, 4)))
    inside = DBTaskResult.objects.get(pk=results[0].id)
    assert inside.args_kwargs == {"args": [3, 4], "kwargs": {}, "request_id": "req-7"}
    assert DBTaskResult.objects.get(pk=outside.id).args_kwargs == {"args": [1, 2], "kwargs": {}}
    assert inside.task.call(*inside.task_result.args, **inside.task_result.kwargs) == 7


@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_a_task_under_the_id_of_the_request_that_queued_it(settings):
    settings.RATHAUS_TRUSTED_PROXIES = ["127.0.0.1"]
    results = []
    during_request("req-worker-1", lambda: results.append(log_and_queue.enqueue("hello")))
    plain = log_and_queue.enqueue("no request")
    worker = start_worker({**database_env(), "RATHAUS_LOG_FORMAT": "json"})
    try:
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists():
            assert time.monotonic() < deadline, "the worker did not run the tasks"
            assert worker.poll() is None
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    lines = [json.loads(line) for line in output.splitlines() if line]  # all of them JSON
    assert any(line["message"].startswith("Starting worker") for line in lines)
    said = {
        line["message"]: line["request_id"] for line in lines if line["logger"] == "rathaus.tests"
    }
    assert said == {"task says hello": "req-worker-1", "task says no request": None}
    about_the_task = [line for line in lines if str(results[0].id) in line["message"]]
    assert len(about_the_task) == 2  # started and finished, by django-tasks
    assert all(line["request_id"] == "req-worker-1" for line in about_the_task)
    about_the_other = [line for line in lines if str(plain.id) in line["message"]]
    assert about_the_other
    assert all(line["request_id"] is None for line in about_the_other)
    # the task the task queued carries the id on
    follow_ups = DBTaskResult.objects.filter(task_path=add.module_path)
    assert sorted(row.args_kwargs.get("request_id") or "" for row in follow_ups) == [
        "",
        "req-worker-1",
    ]


def test_plain_lines_have_an_iso_time_and_cannot_be_forged_by_a_logged_value():
    forged = "x\r\n2026-12-07T19:00:00.000+00:00 INFO rathaus.auth: admin logged in\u2028"
    record = logging.getLogger("rathaus.x").makeRecord(
        "rathaus.x", logging.WARNING, __file__, 1, "login failed for %s", (forged,), None
    )
    line = PlainFormatter().format(record)
    assert len(line.splitlines()) == 1
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d WARNING rathaus\.x: "
        r"login failed for x\\r\\n2026-12-07T19:00:00\.000\+00:00 INFO rathaus\.auth: "
        r"admin logged in\\u2028",
        line,
    )
    try:
        raise ValueError("broken\n2026-12-07T19:00:00.000+00:00 INFO rathaus.auth: forged")
    except ValueError:
        record = logging.getLogger("rathaus.x").makeRecord(
            "rathaus.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    first, *traceback = PlainFormatter().format(record).splitlines()
    assert first.endswith(" ERROR rathaus.x: failed")
    assert traceback[0] == "    Traceback (most recent call last):"
    assert all(line.startswith("    ") for line in traceback)


def test_json_lines_stay_one_line_with_unicode_line_separators():
    record = logging.getLogger("rathaus.x").makeRecord(
        "rathaus.x", logging.INFO, __file__, 1, "a\u2028b\u2029c\x85d\ne", (), None
    )
    text = JsonFormatter().format(record)
    assert len(text.splitlines()) == 1
    assert json.loads(text)["message"] == "a\u2028b\u2029c\x85d\ne"

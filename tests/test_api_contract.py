"""schemathesis against the live server: every API operation answers as its OpenAPI schema says.

The whole API, the staff operations with a staff member's API key included, is fuzzed over HTTP
(pytest-django's live server, the Barleben demo loaded) with every check schemathesis has:
status codes, content types and bodies as documented, no server error, valid data accepted,
invalid data and missing authentication refused, 405 with ``Allow`` for other methods. The
number of examples per operation is bounded so the run stays within CI's budget (ADR 0026).
It is marked ``contract`` and runs once, on SQLite (the Makefile leaves it out of the
PostgreSQL run): it checks the HTTP contract, not SQL.
"""

from __future__ import annotations

import os
import socket
from collections import defaultdict
from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import HealthCheck, settings

from rathaus.core import api_tokens, demo
from rathaus.core.models import WorkerHeartbeat

pytestmark = pytest.mark.contract

# The exchange's attachment upload takes a compact JWE as text (Content-Type application/jose).
schemathesis.serializer.alias("application/jose", "text/plain")

MAX_EXAMPLES = 60

# Operations whose valid requests depend on more than their schema can say, so that a request
# the schema allows may still be refused with 422 (ADR 0026 names the rule of each):
# a combination of parameters (exactly one of `type`/`types`, of `plz`/`ars`), an opaque cursor
# the server issued, an ALTCHA proof of work, a form's own definition, a file the form accepts,
# or a person who must exist; or a day between 1900 and 2999, which `format: date` cannot say
# (the payment list, whose only other parameters are plain; ADR 0049).
LARGE_BODIES = ["rathaus_exchange_receiving_api_submit", "rathaus_exchange_receiving_api_upload"]
REJECTED_OR_TOO_LARGE = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                         "428", "429", "5xx"]  # fmt: skip
SEMANTIC_422 = [
    "rathaus_appointments_api_availability",
    "rathaus_appointments_api_create_booking",
    "rathaus_catalog_api_responsibility_lookup",
    "rathaus_cases_api_list_cases",
    "rathaus_cases_api_assign",
    "rathaus_forms_api_submit",
    "rathaus_forms_api_upload",
    "rathaus_payments_api_list_payments",
]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default

CONFIG = {
    "seed": 26,  # the same cases on every run: a failure is reproducible, CI time is stable
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "database": "none",
        # Every string of the API refuses NUL (ADR 0022): 400 in the address and form fields,
        # 422 in JSON, which a JSON Schema cannot say of a free-form object's nested values.
        "allow-x00": False,
        # Unknown query parameters are ignored, as HTTP APIs commonly do (a cache buster, a
        # tracing id); OpenAPI does not declare a query closed, schemathesis treats it as closed.
        "allow-extra-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
    "checks": {"enabled": True},
    "operations": [
        {
            "include-operation-id": SEMANTIC_422,
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
        },
        {
            # A body longer than its strings allow may be longer than any request is read
            # (DATA_UPLOAD_MAX_MEMORY_SIZE): then it is refused as too large, 413, before its
            # fields are looked at.
            "include-operation-id": LARGE_BODIES,
            "checks": {"negative_data_rejection": {"expected-statuses": REJECTED_OR_TOO_LARGE}},
        },
    ],
}


@pytest.fixture
def api_schema(live_server, transactional_db, settings):
    """The schema as the live server serves it, with a clerk's API key for the staff operations.

    schemathesis sends the key where the schema's security scheme (``StaffKey``) asks for it, so
    it can also leave it out or spoil it and expect 401.
    """
    demo.load()
    # A running installation has a worker; without one the health check answers 503.
    settings.RATHAUS_WORKER_STALE_SECONDS = 3600
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="contract", hostname=socket.gethostname(), pid=os.getpid(), started_at=now,
        last_seen=now,
    )  # fmt: skip
    # A clerk of the Bürgerbüro, who sees the demo's cases of that unit.
    clerk = get_user_model().objects.get(username="buergerbuero")
    key = api_tokens.create(clerk, "schemathesis", 30).key
    config = schemathesis.Config.from_dict(
        {**CONFIG, "auth": {"openapi": {"StaffKey": {"bearer": key}}}}
    )
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json", config=config)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4 names each operation's subtest by rewriting ``node._nodeid``, which
    pytest 9.2 no longer has; give it the attribute to write to (only the report's names use it).
    """
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def answers() -> Iterator[dict[str, set[int]]]:
    """The status codes each operation answered; the staff key must have opened the inbox."""
    seen: dict[str, set[int]] = defaultdict(set)
    yield seen
    assert 200 in seen["GET /api/v1/cases"], "the staff operations were not reached with the key"


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_answers_as_its_schema_says(case, answers):
    response = case.call_and_validate(timeout=30)
    answers[f"{case.method.upper()} {case.path}"].add(response.status_code)

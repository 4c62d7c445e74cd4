"""The read-replica router against a real PostgreSQL streaming replica.

``scripts/with_postgres.py --replica`` starts a primary and a hot standby made with
``pg_basebackup -R``; ``replica_probe.py`` runs requests through ``ReplicaMiddleware`` with
``RATHAUS_DATABASE_REPLICA_URL`` set. Replay on the standby is paused before a row is added on
the primary, so a read that comes from the replica is told apart from one that comes from the
primary by what it counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import ROOT

PROBE = ROOT / "tests" / "core" / "replica_probe.py"


# Not marked database: it starts its own servers, so once (in the SQLite pass) is enough.
def test_read_only_requests_read_from_the_streaming_replica_and_nothing_else(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.pop("RATHAUS_DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="rathaus.settings",
        PYTHONPATH=str(ROOT / "src"),
        RATHAUS_DATA_DIR=str(tmp_path),
        RATHAUS_DEBUG="true",
    )
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--replica", "--",
         sys.executable, str(PROBE)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "streaming replica on 127.0.0.1:" in completed.stderr
    result = json.loads(lines[-1].removeprefix("RESULT "))
    assert result == {
        "in_recovery": True,
        "router": ["rathaus.core.dbrouter.ReplicaRouter"],
        "middleware": True,
        "marked_get": 1,  # the replica, which has not replayed the second row
        "marked_head": 1,
        "marked_post": 2,  # the primary
        "unmarked_get": 2,
        "listed_page_get": 1,  # catalog:browse is in RATHAUS_REPLICA_VIEWS
        "unlisted_page_get": 2,
        "marked_get_after_write": 3,  # its own row: after a write, the primary
        "marked_get_in_transaction": 3,
        "outside_a_request": 3,  # the worker and commands: the primary
        "marked_get_after_catching_up": 3,
    }

"""Run client scripts in parallel processes against this test run's database."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ..conftest import database_env
from .conftest import run_gated


def run_clients(script: str, argument_lists: list[list[str]]) -> list[str]:
    """Start one process per argument list with ``script GATE *arguments``; each prints
    ``ready`` once its threads wait at the gate, and a JSON list of outcomes at the end. The
    gate opens when all are ready; the outcomes of all processes are returned."""
    with tempfile.TemporaryDirectory() as directory:
        gate = Path(directory) / "go"
        commands = [[sys.executable, "-c", script, str(gate), *arguments]
                    for arguments in argument_lists]  # fmt: skip
        return run_gated(commands, gate, database_env())

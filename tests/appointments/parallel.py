"""Run client scripts in parallel processes against this test run's database."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ..conftest import ROOT, database_env


def run_clients(script: str, argument_lists: list[list[str]]) -> list[str]:
    """Start one process per argument list with ``script GATE *arguments``; each prints
    ``ready`` once its threads wait at the gate, and a JSON list of outcomes at the end. The
    gate opens when all are ready; the outcomes of all processes are returned."""
    env = database_env()
    with tempfile.TemporaryDirectory() as directory:
        gate = Path(directory) / "go"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(gate), *arguments], cwd=ROOT, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for arguments in argument_lists
        ]  # fmt: skip
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            if line.strip() != "ready":
                pytest.fail(f"client did not start: {line} {process.communicate(timeout=30)}")
        gate.touch()
        outcomes: list[str] = []
        for process in processes:
            out, err = process.communicate(timeout=180)
            assert process.returncode == 0, err
            outcomes.extend(json.loads(out.strip().splitlines()[-1]))
    return outcomes

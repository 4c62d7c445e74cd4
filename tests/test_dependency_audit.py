"""`make audit` (scripts/audit.py): findings, the allow-list, and services that cannot be reached.

pip-audit runs for real against a fake OSV server on loopback; npm's answers are the documents
npm prints, given to the script in place of the subprocess. Nothing here uses the network.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support import ROOT

_spec = importlib.util.spec_from_file_location(
    "rathaus_audit_script", ROOT / "scripts" / "audit.py"
)
assert _spec
assert _spec.loader
audit = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = audit  # dataclasses look their module up
_spec.loader.exec_module(audit)

TODAY = datetime.date(2026, 12, 7)
DJANGO_ADVISORY = {
    "id": "GHSA-aaaa-bbbb-cccc",
    "aliases": ["CVE-2099-0001"],
    "summary": "SQL injection in a test",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
        }
    ],
}


class FakeOsv(BaseHTTPRequestHandler):
    """OSV's query API: one advisory for django, none for anything else; or a refusing server."""

    status = 200

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.status != 200:
            self.send_response(self.status)
            self.end_headers()
            return
        answer = {"vulns": [DJANGO_ADVISORY]} if query["package"]["name"] == "django" else {}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(status: int):
    handler = type("Handler", (FakeOsv,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def python_result():
    """One real pip-audit run over the installed environment against the fake service."""
    server = _serve(200)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
        return audit.python_audit(audit.run_command, osv_url=url)
    finally:
        server.shutdown()


def _allow(tmp_path, text: str):
    path = tmp_path / "audit-allowlist.toml"
    path.write_text(text, encoding="utf-8")
    return audit.load_allowlist(path)


ALLOW_DJANGO = """
[[allow]]
id = "CVE-2099-0001"
ecosystem = "python"
package = "Django"
reason = "Only the test's own query builder is affected."
date = 2026-12-01
"""


def test_a_vulnerable_installed_package_fails_the_audit(python_result, capsys):
    assert python_result.unreachable == ""
    assert python_result.audited > 50, "the whole installed environment is audited"
    assert audit.report([python_result], [], TODAY) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("VULNERABLE: django "))
    assert "GHSA-aaaa-bbbb-cccc" in line
    assert "CVE-2099-0001" in line
    assert "fixed in 99.0 SQL injection in a test" in line


def test_an_allow_listed_vulnerability_passes_with_its_reason(python_result, tmp_path, capsys):
    allowlist = _allow(tmp_path, ALLOW_DJANGO)
    assert audit.report([python_result], allowlist, TODAY) == 0
    out = capsys.readouterr().out
    assert "allowed: django" in out
    assert "Only the test's own query builder is affected.; reviewed 2026-12-01" in out
    assert "VULNERABLE" not in out


def test_an_allow_list_entry_for_another_ecosystem_does_not_cover_it(python_result, tmp_path):
    allowlist = _allow(tmp_path, ALLOW_DJANGO.replace('"python"', '"npm"'))
    assert audit.report([python_result], allowlist, TODAY) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("refusal", ["server error", "nothing listening"])
def test_a_python_service_that_cannot_be_used_is_reported_not_failed(refusal, capsys):
    server = _serve(503) if refusal == "server error" else None
    port = server.server_address[1] if server else _closed_port()
    try:
        code = audit.main(
            ["--only", "python", "--osv-url", f"http://127.0.0.1:{port}/v1/query"],
        )
    finally:
        if server:
            server.shutdown()
    out = capsys.readouterr().out
    assert code == 0
    assert "NOT CHECKED: the vulnerability service could not be used" in out


def _stub(stdout: str, returncode: int = 1):
    def run(command):
        return subprocess.CompletedProcess(command, returncode, stdout=stdout, stderr="")

    return run


def test_pypi_answering_not_found_for_every_package_is_unreachable_not_clean(capsys):
    """Behind a mirror pip-audit skips every package and says "no known vulnerabilities"."""
    skipped = {
        "dependencies": [
            {"name": name, "skip_reason": f"Dependency not found on PyPI: {name} (1.0)"}
            for name in ("django", "requests")
        ],
        "fixes": [],
    }
    code = audit.main(["--only", "python", "--service", "pypi"], run=_stub(json.dumps(skipped), 0))
    out = capsys.readouterr().out
    assert code == 0
    assert "NOT CHECKED" in out
    assert "no dependency could be checked (2 skipped" in out


NPM_REPORT = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "leaflet": {
            "name": "leaflet",
            "severity": "high",
            "via": [
                {
                    "source": 1099999,
                    "name": "leaflet",
                    "title": "Cross-site scripting in popups",
                    "url": "https://github.com/advisories/GHSA-llll-mmmm-nnnn",
                    "severity": "high",
                    "range": "<1.9.9",
                }
            ],
            "range": "<1.9.9",
        },
        "some-wrapper": {"name": "some-wrapper", "severity": "high", "via": ["leaflet"]},
    },
    "metadata": {"dependencies": {"prod": 12, "dev": 0, "total": 12}},
}


def test_an_npm_advisory_fails_unless_allow_listed(tmp_path, capsys):
    run = _stub(json.dumps(NPM_REPORT))
    assert audit.main(["--only", "npm", "--allowlist", str(tmp_path / "none.toml")], run=run) == 1
    out = capsys.readouterr().out
    assert "12 packages checked" in out
    assert "VULNERABLE: leaflet <1.9.9: GHSA-llll-mmmm-nnnn / npm:1099999" in out
    assert out.count("VULNERABLE") == 1, "the wrapper's entry points to leaflet's advisory"
    allowlist = tmp_path / "allow.toml"
    allowlist.write_text(
        '[[allow]]\nid = "GHSA-llll-mmmm-nnnn"\necosystem = "npm"\npackage = "leaflet"\n'
        'reason = "Popups show no text from visitors."\ndate = 2026-12-07\n',
        encoding="utf-8",
    )
    assert audit.main(["--only", "npm", "--allowlist", str(allowlist)], run=run) == 0


@pytest.mark.parametrize(
    "document",
    [
        {
            "message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/…",
            "statusCode": 405,
        },
        {"error": {"code": "ENOTFOUND", "summary": "request to https://registry.npmjs.org failed"}},
    ],
)
def test_an_npm_service_that_cannot_be_used_is_reported_not_failed(document, capsys):
    assert audit.main(["--only", "npm"], run=_stub(json.dumps(document))) == 0
    out = capsys.readouterr().out
    assert (
        "NOT CHECKED: the vulnerability service could not be used: npm audit gave no report" in out
    )


def test_a_missing_tool_is_reported_not_failed(capsys):
    def run(command):
        raise FileNotFoundError(2, "No such file or directory", command[0])

    assert audit.main(["--only", "npm"], run=run) == 0
    assert "NOT CHECKED" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('id = "X"\necosystem = "npm"\npackage = "p"\ndate = 2026-12-07', "'reason' is missing"),
        ('id = "X"\necosystem = "npm"\npackage = "p"\nreason = "r"\ndate = "2026-12-07"', "'date'"),
        (
            'id = "X"\necosystem = "go"\npackage = "p"\nreason = "r"\ndate = 2026-12-07',
            "'ecosystem'",
        ),
    ],
)
def test_a_malformed_allow_list_entry_stops_the_audit(entry, message, tmp_path, capsys):
    path = tmp_path / "allow.toml"
    path.write_text(f"[[allow]]\n{entry}\n", encoding="utf-8")
    assert audit.main(["--allowlist", str(path)], run=_stub("{}")) == 2
    assert message in capsys.readouterr().err


def test_stale_and_unused_entries_are_named(python_result, tmp_path, capsys):
    allowlist = _allow(tmp_path, ALLOW_DJANGO.replace("2026-12-01", "2026-01-02"))
    allowlist += _allow(tmp_path, ALLOW_DJANGO.replace("CVE-2099-0001", "PYSEC-2000-1"))
    assert audit.report([python_result], allowlist, TODAY) == 0
    out = capsys.readouterr().out
    assert "allow-list entry CVE-2099-0001 was reviewed on 2026-01-02: review again" in out
    assert "allow-list entry PYSEC-2000-1 (Django) matches nothing any more" in out


def test_the_project_allow_list_is_valid_and_make_audit_runs_the_script():
    audit.load_allowlist(ROOT / "audit-allowlist.toml")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\naudit:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/audit.py" in recipe


def test_strict_fails_when_a_python_service_cannot_be_reached(capsys):
    server = _serve(503)
    try:
        osv_url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
        code = audit.main(["--only", "python", "--strict", "--osv-url", osv_url])
    finally:
        server.shutdown()
    out = capsys.readouterr().out
    assert code == 3
    assert "NOT CHECKED: the vulnerability service could not be used" in out
    assert "--strict: python not checked; the audit fails (exit 3)." in out


def test_strict_fails_when_npm_cannot_be_used_and_passes_a_clean_report(capsys):
    unreachable = _stub(json.dumps({"error": {"code": "ENOTFOUND", "summary": "no network"}}))
    assert audit.main(["--only", "npm", "--strict"], run=unreachable) == 3
    clean = {"vulnerabilities": {}, "metadata": {"dependencies": {"prod": 12}}}
    assert audit.main(["--only", "npm", "--strict"], run=_stub(json.dumps(clean), 0)) == 0
    assert "12 packages checked" in capsys.readouterr().out


def test_make_audit_passes_strict_when_asked():
    def recipe(*extra: str) -> str:
        dry = subprocess.run(
            ["make", "-n", "audit", *extra], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return next(line for line in dry.stdout.splitlines() if "scripts/audit.py" in line)

    assert recipe().rstrip().endswith("scripts/audit.py")
    assert recipe("STRICT=1").endswith("scripts/audit.py --strict")

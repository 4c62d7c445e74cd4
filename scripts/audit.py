"""`make audit`: known vulnerabilities of the installed dependencies (docs/security.md).

Runs pip-audit on the installed Python environment and `npm audit --omit=dev` on the packages
the pages ship, and holds their findings against `audit-allowlist.toml`. Each entry there names
the advisory, the ecosystem ("python" or "npm"), the package, a reason and the date it was
reviewed.

Exit status: 0 when no finding is left after the allow-list, also when a vulnerability service
could not be reached (that is reported, never a failure: the audit then says what it could not
check); 1 when a known vulnerability is not allow-listed; 2 when the allow-list itself is
malformed; 3 with ``--strict`` when a vulnerability service could not be reached (for CI
pipelines that must not pass without an audit). Standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ALLOWLIST = ROOT / "audit-allowlist.toml"
ECOSYSTEMS = ("python", "npm")
# An allow-list entry reviewed longer ago than this is named in the report as due for review.
REVIEW_DAYS = 180


@dataclass(frozen=True)
class Finding:
    ecosystem: str
    package: str
    version: str
    ids: tuple[str, ...]  # the advisory's id first, then its aliases
    summary: str
    fix: str = ""

    def label(self) -> str:
        fix = f", fixed in {self.fix}" if self.fix else ""
        return f"{self.package} {self.version}: {' / '.join(self.ids)}{fix}".strip()


@dataclass
class Result:
    """What one tool found; `unreachable` says why it could not check (then nothing was audited)."""

    ecosystem: str
    findings: list[Finding] = field(default_factory=list)
    audited: int = 0
    not_audited: list[str] = field(default_factory=list)
    unreachable: str = ""


@dataclass(frozen=True)
class Allowed:
    id: str
    ecosystem: str
    package: str
    reason: str
    date: datetime.date

    def covers(self, finding: Finding) -> bool:
        return (
            self.ecosystem == finding.ecosystem
            and self.package.lower() == finding.package.lower()
            and self.id.upper() in {i.upper() for i in finding.ids}
        )


class AllowListError(Exception):
    pass


Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


def run_command(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), capture_output=True, text=True, cwd=ROOT, timeout=600, check=False
    )


def load_allowlist(path: Path) -> list[Allowed]:
    """The entries of the allow-list; every field is required, the date is a TOML date."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AllowListError(f"{path.name}: not valid TOML ({exc})") from None
    entries = data.get("allow", [])
    if not isinstance(entries, list):
        raise AllowListError(f"{path.name}: 'allow' must be a list of [[allow]] tables")
    allowed = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}: entry {number}"
        if not isinstance(entry, dict):
            raise AllowListError(f"{where}: must be an [[allow]] table")
        for name in ("id", "ecosystem", "package", "reason"):
            value = entry.get(name)
            if not isinstance(value, str) or not value.strip():
                raise AllowListError(f"{where}: '{name}' is missing or empty")
        if entry["ecosystem"] not in ECOSYSTEMS:
            raise AllowListError(f"{where}: 'ecosystem' must be one of {', '.join(ECOSYSTEMS)}")
        date = entry.get("date")
        if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
            raise AllowListError(f"{where}: 'date' must be a date such as 2026-12-07 (no quotes)")
        unknown = set(entry) - {"id", "ecosystem", "package", "reason", "date"}
        if unknown:
            raise AllowListError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        allowed.append(
            Allowed(
                id=entry["id"].strip(),
                ecosystem=entry["ecosystem"],
                package=entry["package"].strip(),
                reason=entry["reason"].strip(),
                date=date,
            )
        )
    return allowed


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def python_audit(run: Runner, *, service: str = "osv", osv_url: str = "") -> Result:
    """pip-audit on the environment this script runs in (the project's .venv)."""
    command = [
        sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
        "--skip-editable", "--vulnerability-service", service,
    ]  # fmt: skip
    if osv_url:
        command += ["--osv-url", osv_url]
    result = Result("python")
    try:
        completed = run(command)
    except FileNotFoundError as exc:
        result.unreachable = f"pip-audit could not be started ({exc})"
        return result
    try:
        report = json.loads(completed.stdout)
        dependencies = report["dependencies"]
    except (json.JSONDecodeError, KeyError, TypeError):
        # pip-audit ends with a traceback (exit 1) when the service refuses or cannot be reached.
        result.unreachable = f"pip-audit gave no report: {_last_line(completed.stderr)}"
        return result
    for dependency in dependencies:
        if "skip_reason" in dependency:
            result.not_audited.append(f"{dependency['name']}: {dependency['skip_reason']}")
            continue
        result.audited += 1
        for vuln in dependency.get("vulns", []):
            result.findings.append(
                Finding(
                    ecosystem="python",
                    package=dependency["name"],
                    version=dependency.get("version", ""),
                    ids=(vuln["id"], *vuln.get("aliases", [])),
                    summary=(vuln.get("description") or "").strip().split("\n")[0][:200],
                    fix=", ".join(vuln.get("fix_versions", [])),
                )
            )
    if result.not_audited and not result.audited:
        # The PyPI service answers 404 for every package when its JSON API is not reachable
        # (a mirror or proxy in between): pip-audit then says "no known vulnerabilities".
        result.unreachable = (
            f"no dependency could be checked ({len(result.not_audited)} skipped, "
            f"e.g. {result.not_audited[0]})"
        )
    return result


def _npm_advisory_id(advisory: dict[str, object]) -> list[str]:
    ids = []
    url = str(advisory.get("url") or "")
    if "/advisories/" in url:
        ids.append(url.rstrip("/").rsplit("/", 1)[1])
    if advisory.get("source") is not None:
        ids.append(f"npm:{advisory['source']}")
    return ids


def npm_audit(run: Runner) -> Result:
    """`npm audit --omit=dev`: the packages copied into the pages (Makefile `assets`)."""
    result = Result("npm")
    try:
        completed = run(["npm", "audit", "--omit=dev", "--json"])
    except FileNotFoundError as exc:
        result.unreachable = f"npm could not be started ({exc})"
        return result
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        result.unreachable = f"npm audit gave no report: {_last_line(completed.stderr)}"
        return result
    vulnerabilities = report.get("vulnerabilities") if isinstance(report, dict) else None
    if not isinstance(vulnerabilities, dict):
        # Without the advisory service npm prints an error document (ENOTFOUND, 405, …).
        error = report.get("error") if isinstance(report, dict) else None
        reason = (
            (isinstance(report, dict) and report.get("message"))
            or (isinstance(error, dict) and (error.get("summary") or error.get("code")))
            or _last_line(completed.stderr)
        )
        result.unreachable = f"npm audit gave no report: {reason}"
        return result
    metadata = report.get("metadata", {}).get("dependencies", {})
    result.audited = int(metadata.get("prod", metadata.get("total", 0)) or 0)
    for package, entry in sorted(vulnerabilities.items()):
        for advisory in entry.get("via", []):
            # A string names another vulnerable package this one depends on: it is reported
            # under that package's own entry.
            if not isinstance(advisory, dict):
                continue
            ids = _npm_advisory_id(advisory)
            if not ids:
                continue
            result.findings.append(
                Finding(
                    ecosystem="npm",
                    package=str(advisory.get("name") or package),
                    version=str(advisory.get("range") or entry.get("range") or ""),
                    ids=tuple(ids),
                    summary=f"{advisory.get('severity', '')}: {advisory.get('title', '')}".strip(),
                )
            )
    # The same advisory appears under each package that pulls the vulnerable one in.
    result.findings = list(dict.fromkeys(result.findings))
    return result


NOT_CHECKED_STRICT = 3


def report(
    results: list[Result], allowlist: list[Allowed], today: datetime.date, *, strict: bool = False
) -> int:
    """Print what was found, allowed and not checked; the exit status."""
    failed = False
    used: set[Allowed] = set()
    for result in results:
        title = {"python": "Python (pip-audit)", "npm": "npm (npm audit --omit=dev)"}
        print(f"== {title[result.ecosystem]}")
        if result.unreachable:
            print(f"NOT CHECKED: the vulnerability service could not be used: {result.unreachable}")
            continue
        print(f"{result.audited} packages checked")
        if result.not_audited:
            print(f"{len(result.not_audited)} packages not checked:")
            for line in result.not_audited:
                print(f"  - {line}")
        for finding in result.findings:
            allowed = next((entry for entry in allowlist if entry.covers(finding)), None)
            if allowed:
                used.add(allowed)
                print(f"allowed: {finding.label()} ({allowed.reason}; reviewed {allowed.date})")
            else:
                failed = True
                print(f"VULNERABLE: {finding.label()} {finding.summary}".rstrip())
        if not result.findings:
            print("no known vulnerabilities")
    reached = {result.ecosystem for result in results if not result.unreachable}
    for entry in allowlist:
        if entry.ecosystem in reached and entry not in used:
            print(f"note: allow-list entry {entry.id} ({entry.package}) matches nothing any more")
        if (today - entry.date).days > REVIEW_DAYS:
            print(f"note: allow-list entry {entry.id} was reviewed on {entry.date}: review again")
    if failed:
        print("Known vulnerabilities not allow-listed: update them, or allow-list with a reason.")
        return 1
    unchecked = [result.ecosystem for result in results if result.unreachable]
    if strict and unchecked:
        print(f"--strict: {', '.join(unchecked)} not checked; the audit fails (exit 3).")
        return NOT_CHECKED_STRICT
    return 0


def main(argv: Sequence[str] | None = None, run: Runner = run_command) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allowlist", type=Path, default=DEFAULT_ALLOWLIST)
    parser.add_argument(
        "--service", choices=["osv", "pypi"], default="osv",
        help="pip-audit's vulnerability service (default: osv)",
    )  # fmt: skip
    parser.add_argument("--osv-url", default="", help="an OSV-compatible query URL (a mirror)")
    parser.add_argument("--only", choices=ECOSYSTEMS, help="audit one ecosystem")
    parser.add_argument(
        "--strict", action="store_true",
        help="exit 3 when a vulnerability service could not be reached (CI)",
    )  # fmt: skip
    options = parser.parse_args(argv)
    try:
        allowlist = load_allowlist(options.allowlist)
    except AllowListError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    results = []
    if options.only in (None, "python"):
        results.append(python_audit(run, service=options.service, osv_url=options.osv_url))
    if options.only in (None, "npm"):
        results.append(npm_audit(run))
    return report(results, allowlist, datetime.date.today(), strict=options.strict)


if __name__ == "__main__":
    sys.exit(main())

"""What an OParl import did, per object type, with examples of what it skipped and why."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

EXAMPLES = 5  # examples kept per type and reason


@dataclass
class Report:
    source: str
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # (type, reason) → number and the first examples (an object's id or a page's address)
    skipped: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    skipped_count: Counter[tuple[str, str]] = field(default_factory=Counter)
    notes: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    notes_count: Counter[tuple[str, str]] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)  # unknown types
    problems: list[tuple[str, str]] = field(default_factory=list)  # (address, what went wrong)
    pages: int = 0
    lists: int = 0  # lists the body offers
    list_pages: int = 0  # list pages read and understood
    objects: int = 0
    files: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    def skip(self, kind: str, where: str, reason: str) -> None:
        key = (kind, reason)
        self.counts[kind]["skipped"] += 1
        self.skipped_count[key] += 1
        examples = self.skipped.setdefault(key, [])
        if len(examples) < EXAMPLES:
            examples.append(where)

    def note(self, kind: str, where: str, what: str) -> None:
        """A property that was left out or normalised; the object itself was kept."""
        key = (kind, what.split(":", 1)[0])
        self.notes_count[key] += 1
        examples = self.notes.setdefault(key, [])
        if len(examples) < EXAMPLES:
            examples.append(f"{where} ({what})")

    def ignore(self, kind: str, where: str) -> None:
        self.ignored[kind] += 1

    def problem(self, where: str, what: str) -> None:
        """A page or request that could not be read; the walk went on without it."""
        self.problems.append((where, what))

    @property
    def complete(self) -> bool:
        """True when every page was read: the next run may ask only for what changed since."""
        return not self.problems

    def lines(self) -> list[str]:
        """The summary as the command prints it."""
        out = [f"{self.pages} pages, {self.objects} objects read from {self.source}."]
        for kind in sorted(self.counts):
            c = self.counts[kind]
            out.append(
                f"  {kind}: {c['created']} created, {c['updated']} updated, "
                f"{c['unchanged']} unchanged, {c['deleted']} deleted, {c['skipped']} skipped"
            )
        for (kind, reason), examples in sorted(self.skipped.items()):
            count = self.skipped_count[(kind, reason)]
            out.append(f"  skipped {count} {kind}: {reason} — e.g. {', '.join(examples)}")
        for (kind, prop), examples in sorted(self.notes.items()):
            count = self.notes_count[(kind, prop)]
            out.append(f"  left out or corrected in {count} {kind}: {'; '.join(examples)}")
        for kind, count in sorted(self.ignored.items()):
            out.append(f"  ignored {count} objects of the unknown type {kind}")
        for where, what in self.problems:
            out.append(f"  not read: {where}: {what}")
        if self.files:
            out.append(
                "  file contents: " + ", ".join(f"{n} {k}" for k, n in sorted(self.files.items()))
            )
        return out

    def as_details(self) -> dict[str, Any]:
        """The report as the audit entry keeps it (counts, not examples)."""
        return {
            "source": self.source,
            "pages": self.pages,
            "objects": self.objects,
            "counts": {kind: dict(c) for kind, c in sorted(self.counts.items())},
            "problems": len(self.problems),
            "complete": self.complete,
        }

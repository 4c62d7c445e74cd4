"""The council paper (Informationsvorlage) on the digital projects, built from live data
(ADR 0072): every project's status, its funding table with sums and shares, milestones reached
and due, risks, linked council papers, and the platform's own figures. Each generated paper
keeps its figures as a :class:`ReportSnapshot`; the next paper lists what changed since.

:func:`build` reads everything in a fixed number of queries; :mod:`rathaus.projects.render`
turns the result into PDF or DOCX.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.core.models import Authority
from rathaus.projects import figures
from rathaus.projects.models import Grant, Project, ReportSnapshot, Status


def euro(cents: int) -> str:
    """``8000000`` → ``80.000,00 €`` (German notation)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{rest:02d} €"


def percent(value: Decimal | float) -> str:
    """``Decimal("35.00")`` → ``35 %``, ``35.5`` → ``35,5 %``."""
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    text = f"{number:f}".replace(".", ",")
    return f"{text} %"


def share(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class GrantRow:
    grant: Grant
    programme: str
    funder: str
    guideline: str
    amount_cents: int
    eligible_cents: int
    own_share_percent: Decimal
    own_share_cents: int
    cofinancing_cents: int
    cofinancing_by: str
    period_start: dt.date
    period_end: dt.date
    end: dt.date
    extensions: list[Any]
    requested_cents: int
    received_cents: int
    deadlines: list[Any]
    forms: dict[str, Any] = field(default_factory=dict)
    """The staff page's forms for this grant (extension, payment, report deadline)."""


@dataclass
class Sums:
    amount_cents: int = 0
    eligible_cents: int = 0
    own_share_cents: int = 0
    cofinancing_cents: int = 0
    requested_cents: int = 0
    received_cents: int = 0

    def add(self, row: GrantRow | Sums) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(row, name))

    @property
    def own_share_percent(self) -> Decimal:
        return share(self.own_share_cents, self.eligible_cents)

    @property
    def funding_percent(self) -> Decimal:
        return share(self.amount_cents, self.eligible_cents)


@dataclass
class ProjectReport:
    project: Project
    grants: list[GrantRow]
    sums: Sums
    reached: list[Any]
    due: list[Any]
    risks: list[Any]
    papers: list[Any]


@dataclass
class Report:
    authority: Authority
    created_at: dt.datetime
    projects: list[ProjectReport]
    totals: Sums
    platform: figures.PlatformFigures
    previous: ReportSnapshot | None = None
    changes: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """What the snapshot keeps (JSON): enough for the next paper's change log."""
        return {
            "created_at": self.created_at.isoformat(),
            "platform": self.platform.as_dict(),
            "totals": _sums(self.totals),
            "projects": {
                str(item.project.pk): {
                    "title": item.project.title,
                    "status": item.project.status,
                    "sums": _sums(item.sums),
                    "ends": sorted(row.end.isoformat() for row in item.grants),
                    "reached": sorted(m.title for m in item.reached),
                    "risks": len(item.risks),
                }
                for item in self.projects
            },
        }


def _sums(sums: Sums) -> dict[str, int]:
    return {name: getattr(sums, name) for name in Sums.__dataclass_fields__}


def _grant_row(grant: Grant) -> GrantRow:
    extensions = list(grant.extensions.all())
    payments = list(grant.payments.all())
    programme = grant.programme
    return GrantRow(
        grant=grant,
        programme=programme.name,
        funder=programme.funder,
        guideline=programme.guideline,
        amount_cents=grant.amount_cents,
        eligible_cents=grant.eligible_cents,
        own_share_percent=Decimal(grant.own_share_percent),
        own_share_cents=grant.own_share_cents,
        cofinancing_cents=grant.cofinancing_cents,
        cofinancing_by=grant.cofinancing_by,
        period_start=grant.period_start,
        period_end=grant.period_end,
        end=grant.end(extensions),
        extensions=extensions,
        requested_cents=sum(p.amount_cents for p in payments if p.kind == "requested"),
        received_cents=sum(p.amount_cents for p in payments if p.kind == "received"),
        deadlines=list(grant.deadlines.all()),
    )


def projects_of(
    authority: Authority, *, public_only: bool = False, pk: int | None = None
) -> list[Project]:
    found = Project.objects.filter(authority=authority)
    if pk is not None:
        found = found.filter(pk=pk)
    if public_only:
        found = found.filter(public=True)
    return list(
        found.select_related("unit", "responsible").prefetch_related(
            "milestones",
            "risks",
            "papers__paper",
            Prefetch(
                "grants",
                queryset=Grant.objects.select_related("programme").prefetch_related(
                    "extensions", "payments", "deadlines"
                ),
            ),
        )
    )


def projects_of_kept(pk: int, kept: Any) -> Project | None:
    """The project ``pk`` if it belongs to one of the ``kept`` authorities, with its parts."""
    found = Project.objects.filter(pk=pk, authority__in=kept).select_related("authority").first()
    if found is None:
        return None
    return projects_of(found.authority, pk=pk)[0]


def project_report(project: Project) -> ProjectReport:
    rows = [_grant_row(grant) for grant in project.grants.all()]
    sums = Sums()
    for row in rows:
        sums.add(row)
    milestones = list(project.milestones.all())
    return ProjectReport(
        project=project,
        grants=rows,
        sums=sums,
        reached=[m for m in milestones if m.reached_on],
        due=[m for m in milestones if not m.reached_on],
        risks=list(project.risks.all()),
        papers=list(project.papers.all()),
    )


def build(authority: Authority, now: dt.datetime | None = None) -> Report:
    now = now or timezone.now()
    items = [project_report(project) for project in projects_of(authority)]
    totals = Sums()
    for item in items:
        totals.add(item.sums)
    report = Report(authority, now, items, totals, figures.measure(authority, now))
    report.previous = ReportSnapshot.objects.filter(authority=authority).first()
    if report.previous is not None:
        report.changes = changes(report.previous.figures, report.figures())
    return report


def keep(report: Report, file_format: str, user: Any = None) -> ReportSnapshot:
    """Keep the figures of a generated paper, so the next one can say what changed."""
    with transaction.atomic():
        snapshot = ReportSnapshot.objects.create(
            authority=report.authority,
            created_at=report.created_at,
            created_by=user if user is not None and user.is_authenticated else None,
            file_format=file_format,
            figures=report.figures(),
        )
        audit.record(
            "projects.report_generated",
            actor=user,
            actor_name=None if user is not None else "system",
            authority=report.authority,
            obj=snapshot,
            details={"format": file_format, "projects": len(report.projects)},
        )
    return snapshot


def platform_label(key: str) -> str:
    return {
        "ozg_services": _("OZG services in the catalogue"),
        "ozg_online": _("OZG services fully online"),
        "sensors": _("sensor series"),
        "sensors_online": _("sensors that reported in the last 24 hours"),
        "submissions_online_12_months": _("applications submitted online in the last 12 months"),
    }.get(key, key)


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed between two papers' figures, one sentence each."""
    lines: list[str] = []
    old, new = before.get("projects", {}), after.get("projects", {})
    for key, now in new.items():
        then = old.get(key)
        title = now["title"]
        if then is None:
            lines.append(_("New project: %(title)s.") % {"title": title})
            continue
        if then["status"] != now["status"]:
            lines.append(
                _("%(title)s: status changed from “%(old)s” to “%(new)s”.")
                % {
                    "title": title,
                    "old": _status_label(then["status"]),
                    "new": _status_label(now["status"]),
                }
            )
        for milestone in sorted(set(now["reached"]) - set(then["reached"])):
            lines.append(
                _("%(title)s: milestone reached: %(milestone)s.")
                % {"title": title, "milestone": milestone}
            )
        if then["ends"] != now["ends"]:
            lines.append(
                _("%(title)s: the funding period now ends on %(end)s.")
                % {"title": title, "end": ", ".join(_date(end) for end in now["ends"]) or "–"}
            )
        for name, label in (
            ("amount_cents", _("grants")),
            ("own_share_cents", _("own share")),
            ("received_cents", _("payments received")),
        ):
            if then["sums"].get(name) != now["sums"].get(name):
                lines.append(
                    _("%(title)s: %(what)s changed from %(old)s to %(new)s.")
                    % {
                        "title": title,
                        "what": label,
                        "old": euro(then["sums"].get(name, 0)),
                        "new": euro(now["sums"][name]),
                    }
                )
        if then["risks"] != now["risks"]:
            lines.append(
                _("%(title)s: %(old)d risks before, %(new)d now.")
                % {"title": title, "old": then["risks"], "new": now["risks"]}
            )
    for key, then in old.items():
        if key not in new:
            lines.append(_("No longer in the paper: %(title)s.") % {"title": then["title"]})
    for key, value in after.get("platform", {}).items():
        previous = before.get("platform", {}).get(key)
        if previous is not None and previous != value:
            lines.append(
                _("%(what)s: %(old)d before, %(new)d now.")
                % {"what": platform_label(key), "old": previous, "new": value}
            )
    return lines


def _date(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "d.m.Y")

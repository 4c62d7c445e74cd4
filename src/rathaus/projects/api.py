"""Read-only API of the public digital projects (``/api/v1/projects``): what
``/digitalisierung/`` shows — status, goal, partners, milestones, funding with sums and shares
(money in integer cents) — and what the platform measures itself."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from rathaus.core.bounds import Slug
from rathaus.core.models import Authority
from rathaus.core.problems import ProblemOut
from rathaus.core.tenancy import current_authority
from rathaus.projects import figures, report

router = Router(tags=["projects"])


class AuthorityQuery(Schema):
    authority: Slug | None = Field(
        None, description="Short name of the authority; default: the authority of the host"
    )


class MilestoneOut(Schema):
    title: str
    due_on: dt.date
    reached_on: dt.date | None


class GrantOut(Schema):
    programme: str
    funder: str
    amount_cents: int = Field(..., description="The grant, in cents")
    eligible_cents: int
    own_share_percent: float
    own_share_cents: int
    cofinancing_cents: int
    period_start: dt.date
    period_end: dt.date = Field(..., description="After every extension")


class ProjectOut(Schema):
    id: int
    title: str
    goal: str
    status: str = Field(..., description="planned, applied, running, completed or stopped")
    status_note: str
    unit: str
    partners: list[str]
    milestones: list[MilestoneOut]
    grants: list[GrantOut]
    papers: list[str] = Field(..., description="References of council papers")


class PlatformOut(Schema):
    ozg_services: int
    ozg_online: int
    sensors: int
    sensors_online: int
    submissions_online_12_months: int


class ProjectsOut(Schema):
    projects: list[ProjectOut]
    platform: PlatformOut


def _authority(request: HttpRequest, slug: str | None) -> Authority:
    found = Authority.objects.filter(slug=slug).first() if slug else current_authority(request)
    if found is None:
        raise HttpError(404, "No such authority.")
    return found


def _out(item: report.ProjectReport) -> dict[str, object]:
    project = item.project
    return {
        "id": project.pk,
        "title": project.title,
        "goal": project.goal,
        "status": project.status,
        "status_note": project.status_note,
        "unit": project.unit.name,
        "partners": project.partner_list(),
        "milestones": [
            {"title": m.title, "due_on": m.due_on, "reached_on": m.reached_on}
            for m in [*item.reached, *item.due]
        ],
        "grants": [
            {
                "programme": row.programme,
                "funder": row.funder,
                "amount_cents": row.amount_cents,
                "eligible_cents": row.eligible_cents,
                "own_share_percent": float(row.own_share_percent),
                "own_share_cents": row.own_share_cents,
                "cofinancing_cents": row.cofinancing_cents,
                "period_start": row.period_start,
                "period_end": row.end,
            }
            for row in item.grants
        ],
        "papers": [link.reference for link in item.papers],
    }


@router.get("", response={200: ProjectsOut, 404: ProblemOut}, summary="Public digital projects")
def list_projects(request: HttpRequest, query: Query[AuthorityQuery]) -> dict[str, object]:
    """The projects of the authority that its staff marked public, in the order of the council
    paper, and what the platform measures itself. 404 for an unknown `authority`."""
    authority = _authority(request, query.authority)
    items = [report.project_report(p) for p in report.projects_of(authority, public_only=True)]
    return {
        "projects": [_out(item) for item in items],
        "platform": figures.measure(authority).as_dict(),
    }

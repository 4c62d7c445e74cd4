"""Staff API for cases (/api/v1/cases/): the inbox, one case, and the actions on it.

A staff member's personal API key (``Authorization: Bearer rh_…``, made on the page
/verwaltung/konto/api-schluessel/) acts with that person's units: the same filters, cursor and
visibility as the inbox page, and the same service functions for every change, so the timeline
and the audit log look the same whether a change came from the page or from a program.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field

from rathaus.cases import services, timeline
from rathaus.cases.access import visible_cases
from rathaus.cases.models import Case
from rathaus.cases.staff_views import (
    LIST_DEFERRED,
    InboxQuery,
    cursor_for,
    inbox_queryset,
    parse_cursor,
)
from rathaus.core import api_tokens
from rathaus.core.bounds import Day, Id, Key, Text
from rathaus.core.problems import ProblemOut, problem


class StaffKey(HttpBearer):
    """A personal API key of an active staff member; revoked and expired keys are refused."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_tokens.user_for_key(token)


router = Router(tags=["cases (staff)"], auth=StaffKey())

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# The API speaks English; the inbox page's German parameter values are mapped here.
VIEWS = {"unit": "bereich", "mine": "meine", "tasks": "aufgaben", "unassigned": "offen",
         "overdue": "ueberfaellig", "all": "alle"}  # fmt: skip
SORTS = {"newest": "neueste", "oldest": "aelteste"}


class InboxFilters(Schema):
    view: Literal["unit", "mine", "tasks", "unassigned", "overdue", "all"] = Field(
        "unit",
        description=(
            "unit: open cases of my units; mine: assigned to me; tasks: assigned to me with open "
            "process tasks in my lanes; all: including closed ones"
        ),
    )
    status: Case.Status | None = None
    form: Text | None = Field(None, max_length=80, description="short name of the form")
    assignee: Id | None = Field(None, description="id of the assigned staff member")
    since: Day | None = Field(None, description="received on or after this day")
    until: Day | None = Field(None, description="received on or before this day")
    q: Text | None = Field(None, max_length=200, description="words from the case's data")
    sort: Literal["newest", "oldest"] = "newest"
    cursor: Text | None = Field(None, max_length=100, description="next_cursor of the last page")
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PersonOut(Schema):
    id: int
    username: str
    name: str


class UnitOut(Schema):
    slug: str
    name: str


class CaseSummaryOut(Schema):
    number: str
    title: str
    status: Case.Status
    priority: Case.Priority
    authority: str
    unit: UnitOut
    assignee: PersonOut | None
    due_date: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    closed_at: datetime.datetime | None
    form: str | None
    reference: str | None


class CaseListOut(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    id: int
    field: str
    filename: str
    content_type: str
    size: int
    sha512: str


class CaseSubmissionOut(Schema):
    reference: str
    form: str
    form_version: int
    submitted_at: datetime.datetime
    channel: str
    trust_level: str
    data: dict[str, Any]
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str
    label: str = Field(description="the kind in words, as registered by the app that writes it")
    at: datetime.datetime
    by: str
    old: str
    new: str
    visible_to_applicant: bool


class NoteOut(Schema):
    text: str
    by: str
    at: datetime.datetime


class CaseOut(CaseSummaryOut):
    submission: CaseSubmissionOut | None
    timeline: list[EventOut]
    notes: list[NoteOut]


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")
    assignee: Id | None = Field(description="id of a staff member of the case's unit; null: nobody")


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Case.Status


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: Text = Field(min_length=1, max_length=10000)


def _staff(request: HttpRequest) -> Any:
    """The staff member whose key authenticated the request (set by ``StaffKey``)."""
    return request.auth  # type: ignore[attr-defined]


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(),
            "name": user.get_full_name() or user.get_username()}  # fmt: skip


def _summary(case: Case) -> dict[str, Any]:
    submission = case.submission
    return {
        "number": case.number, "title": case.title, "status": case.status,
        "priority": case.priority, "authority": case.authority.slug,
        "unit": {"slug": case.org_unit.slug, "name": case.org_unit.name},
        "assignee": _person(case.assignee), "due_date": case.due_date,
        "created_at": case.created_at, "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "form": submission.form_version.definition.slug if submission is not None else None,
        "reference": submission.reference if submission is not None else None,
    }  # fmt: skip


_RELATED = ("authority", "org_unit", "assignee", "submission__form_version__definition")


def _find(request: HttpRequest, number: str) -> Case | HttpResponse:
    case = visible_cases(_staff(request)).select_related(*_RELATED).filter(number=number).first()
    if case is None:
        return problem(
            request, 404, "Not Found", "There is no case with this number in your units."
        )
    return case


@router.get(
    "",
    response={200: CaseListOut, 401: ProblemOut, 422: ProblemOut},
    summary="The inbox: cases of my units, newest first, with the inbox page's filters",
    description=(
        "Pages are cut by a cursor (keyset): pass `next_cursor` of one page as `cursor` to get "
        "the next; it is null on the last page. `q` finds cases by words from their data, "
        "their case number or their reference."
    ),
)
def list_cases(request: HttpRequest, filters: Query[InboxFilters]) -> Any:
    after = None
    if filters.cursor:
        after = parse_cursor(filters.cursor)
        if after is None:
            return problem(
                request, 422, "Invalid request", "The cursor is not valid.",
                errors=[{"field": "query.cursor", "message": "Use next_cursor of a page."}],
            )  # fmt: skip
    query = InboxQuery(
        view=VIEWS[filters.view], status=filters.status or "", form=filters.form or "",
        assignee=str(filters.assignee) if filters.assignee is not None else "",
        since=filters.since, until=filters.until,
        text=" ".join((filters.q or "").split())[:100], sort=SORTS[filters.sort], after=after,
    )  # fmt: skip
    cases = inbox_queryset(_staff(request), query).select_related(*_RELATED).defer(*LIST_DEFERRED)
    rows = list(cases[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {
        "items": [_summary(case) for case in rows],
        "next_cursor": cursor_for(rows[-1]) if more else None,
    }


_ACTION_ERRORS = {401: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}
_ACTION_RESPONSES = {200: CaseSummaryOut, **_ACTION_ERRORS}


def _run(
    request: HttpRequest, number: str, action: Any, status: int = 200, found: Any = None
) -> Any:
    """Run a service function on the case; its refusals become problems, foreign cases 404."""
    case = found if found is not None else _find(request, number)
    if isinstance(case, HttpResponse):
        return case
    try:
        action(case)
    except services.TransitionRefused as refused:  # not in the status table (workflow.py)
        return problem(request, 409, "Conflict", str(refused), current_status=refused.current,
                       requested_status=refused.target,
                       allowed_statuses=refused.allowed)  # fmt: skip
    except services.CaseActionRefused as refused:
        return problem(request, 409, "Conflict", str(refused))
    except PermissionError:
        return problem(
            request, 404, "Not Found", "There is no case with this number in your units."
        )
    fresh = visible_cases(_staff(request)).select_related(*_RELATED).get(pk=case.pk)
    return Status(status, _summary(fresh))


@router.post(
    "/{path:number}/claim",
    response=_ACTION_RESPONSES,
    summary="Take the case (refused with 409 if a colleague has taken it)",
)
def claim(request: HttpRequest, number: Key) -> Any:
    """Assigns the case to the staff member of the key, as the inbox page's button does. 409 when
    a colleague has taken it meanwhile; 404 when the case is not in the key owner's units.
    """
    return _run(request, number, lambda case: services.claim(case, _staff(request)))


@router.post(
    "/{path:number}/assign",
    response=_ACTION_RESPONSES,
    summary="Give the case to a colleague of its unit, or back to the unit (null)",
)
def assign(request: HttpRequest, number: Key, payload: AssignIn) -> Any:
    """Gives the case to an active staff member of the case's unit (`assignee`: their id), or to
    nobody (`null`): the case goes back to the unit. 422 for someone who does not work there.
    """
    case = _find(request, number)  # an unknown case is 404 whatever the body says
    if isinstance(case, HttpResponse):
        return case
    assignee = None
    if payload.assignee is not None:
        assignee = get_user_model().objects.filter(pk=payload.assignee, is_active=True).first()
        if assignee is None:
            message = _("This person does not work in the case's unit.")
            return problem(request, 422, "Invalid request", message,
                           errors=[{"field": "body.assignee", "message": message}])  # fmt: skip
    return _run(
        request, number, lambda case: services.assign(case, _staff(request), assignee), found=case
    )


@router.post(
    "/{path:number}/status",
    response=_ACTION_RESPONSES,
    summary="Change the status; the applicant sees the change",
    description=(
        "Only the changes of the status table are allowed: new → in_progress, waiting, closed; "
        "in_progress ↔ waiting; any open status → closed; decided → closed. A case becomes "
        "decided only with its decision document. Any other change is refused with 409; the "
        "problem names `current_status`, `requested_status` and `allowed_statuses`."
    ),
)
def set_status(request: HttpRequest, number: Key, payload: StatusIn) -> Any:
    return _run(
        request, number, lambda case: services.set_status(case, _staff(request), payload.status)
    )


@router.post(
    "/{path:number}/notes",
    response={201: CaseSummaryOut, **_ACTION_ERRORS},
    summary="Add an internal note (never shown to the applicant)",
)
def add_note(request: HttpRequest, number: Key, payload: NoteIn) -> Any:
    """Adds an internal note to the case (1 to 10,000 characters). Notes are for staff only; they
    appear on the staff case page and in this API, never to the applicant. Answers 201 with the
    case.
    """
    return _run(
        request, number, lambda case: services.add_note(case, _staff(request), payload.text), 201
    )


# Declared last: the path converter takes slashes (EMA/2026/1), so it would also match the
# action URLs above if it came first.
@router.get(
    "/{path:number}",
    response={200: CaseOut, 401: ProblemOut, 404: ProblemOut},
    summary="One case: its data, attachments (metadata), timeline and internal notes",
)
def get_case(request: HttpRequest, number: Key) -> Any:
    """The case with this number (slashes included, e.g. `EMA/2026/1`) in the key owner's units:
    its state, the submission's data and attachments (metadata only), the timeline and the
    internal notes. 404 for a case outside the units.
    """
    case = _find(request, number)
    if isinstance(case, HttpResponse):
        return case
    body = _summary(case)
    submission = case.submission
    body["submission"] = None
    if submission is not None:
        body["submission"] = {
            "reference": submission.reference,
            "form": submission.form_version.definition.slug,
            "form_version": submission.form_version.number,
            "submitted_at": submission.submitted_at, "channel": submission.channel,
            "trust_level": submission.trust_level, "data": submission.data,
            "attachments": [
                {"id": file.pk, "field": file.field, "filename": file.original_name,
                 "content_type": file.content_type, "size": file.size, "sha512": file.sha512}
                for file in submission.attachments.all()
            ],
        }  # fmt: skip
    body["timeline"] = [
        {"kind": event.kind, "label": timeline.label(event.kind), "at": event.at,
         "by": event.actor_label, "old": event.old, "new": event.new,
         "visible_to_applicant": event.visible_to_applicant}
        for event in case.events.all()
    ]  # fmt: skip
    body["notes"] = [
        {"text": note.text, "at": note.created_at,
         "by": (_person(note.author) or {"name": "rathaus"})["name"]}
        for note in case.notes.select_related("author")
    ]  # fmt: skip
    return body

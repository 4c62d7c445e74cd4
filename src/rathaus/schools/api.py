"""Staff API of the school IT (``/api/v1/schools/``): the devices and the support requests of
the schools a staff member keeps, read with a personal API key; a request's status and priority
changed like on the page. A school of another authority is not found (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from rathaus.cases.api import StaffKey
from rathaus.core.bounds import Id, Key, Text
from rathaus.core.problems import ProblemOut
from rathaus.schools import keepers, support
from rathaus.schools.models import Device, School, SupportRequest

router = Router(tags=["school IT (staff)"], auth=StaffKey())
MAX_ITEMS = 1000
DeviceKind = Literal["display", "ipad", "laptop", "teacher", "network"]
DeviceState = Literal["in_use", "in_repair", "lent", "retired"]
RequestStatus = Literal["new", "in_progress", "waiting", "done"]
Priority = Literal["urgent", "high", "normal", "low"]


class DeviceFilters(Schema):
    school: Key | None = Field(None, description="short name of the school")
    kind: DeviceKind | None = None
    state: DeviceState | None = None


class DeviceOut(Schema):
    id: int
    school: str = Field(description="short name of the school")
    kind: DeviceKind
    model: str
    serial: str
    inventory_number: str
    purchase_date: dt.date | None
    price_cents: int | None
    funding_source: str
    warranty_end: dt.date | None
    managed_by: Literal["town", "land"]
    state: DeviceState
    room: str | None
    school_class: str
    person: str


class RequestFilters(Schema):
    school: Key | None = Field(None, description="short name of the school")
    status: RequestStatus | None = None
    open: bool | None = Field(None, description="only open (new, in progress, waiting) ones")


class RequestOut(Schema):
    id: int
    school: str
    device: str | None = Field(description="inventory number")
    room: str | None
    reporter: str
    text: str
    priority: Priority
    status: RequestStatus
    created_at: dt.datetime
    response_due: dt.datetime
    responded_at: dt.datetime | None
    target_breached: bool
    has_photo: bool


class RequestChange(Schema):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatus
    priority: Priority
    note: Text = Field("", max_length=4000, description="shown to the teacher")


def _schools(request: HttpRequest) -> QuerySet[School]:
    kept = keepers.kept_authorities(request.auth)  # type: ignore[attr-defined]
    if not kept.exists():
        raise HttpError(403, "You keep the school IT of no authority.")
    return School.objects.filter(authority__in=kept)


def _device(device: Device) -> dict[str, Any]:
    return {
        "id": device.pk,
        "school": device.school.code,
        "kind": device.kind,
        "model": device.model_name,
        "serial": device.serial,
        "inventory_number": device.inventory_number,
        "purchase_date": device.purchase_date,
        "price_cents": device.price_cents,
        "funding_source": device.funding_source,
        "warranty_end": device.warranty_end,
        "managed_by": device.managed_by,
        "state": device.state,
        "room": device.room.name if device.room else None,
        "school_class": device.school_class,
        "person": device.person,
    }


def _request(found: SupportRequest) -> dict[str, Any]:
    return {
        "id": found.pk,
        "school": found.school.code,
        "device": found.device.inventory_number if found.device else None,
        "room": found.room.name if found.room else None,
        "reporter": found.reporter,
        "text": found.text,
        "priority": found.priority,
        "status": found.status,
        "created_at": found.created_at,
        "response_due": found.response_due,
        "responded_at": found.responded_at,
        "target_breached": found.target_breached,
        "has_photo": found.photo_id is not None,
    }


@router.get(
    "/devices",
    response={200: list[DeviceOut], 403: ProblemOut},
    summary="Devices of the schools I keep",
)
def devices(request: HttpRequest, filters: Query[DeviceFilters]) -> list[dict[str, Any]]:
    """The devices of the schools whose IT the key's holder keeps (at most 1000), with price
    in cents, funding source, warranty and where each device is."""
    found = Device.objects.filter(school__in=_schools(request)).select_related("school", "room")
    if filters.school:
        found = found.filter(school__code=filters.school)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.state:
        found = found.filter(state=filters.state)
    return [_device(device) for device in found[:MAX_ITEMS]]


@router.get(
    "/requests",
    response={200: list[RequestOut], 403: ProblemOut},
    summary="Support requests of the schools I keep",
)
def requests(request: HttpRequest, filters: Query[RequestFilters]) -> list[dict[str, Any]]:
    """The support requests of those schools, newest first (at most 1000), with the response
    target of their priority and whether it was missed."""
    found = SupportRequest.objects.filter(school__in=_schools(request)).select_related(
        "school", "device", "room"
    )
    if filters.school:
        found = found.filter(school__code=filters.school)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.open:
        found = found.filter(status__in=SupportRequest.OPEN)
    return [_request(item) for item in found[:MAX_ITEMS]]


@router.post(
    "/requests/{request_id}",
    response={200: RequestOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut},
    summary="Change a support request's status and priority",
)
def change_request(request: HttpRequest, request_id: Id, change: RequestChange) -> dict[str, Any]:
    """Set status and priority and add a note the teacher sees, as on the staff page; the first
    change counts as the response. A request of another school is not found (404)."""
    found = (
        SupportRequest.objects.select_related("school__authority", "device", "room")
        .filter(pk=request_id, school__in=_schools(request))
        .first()
    )
    if found is None:
        raise Http404("no request of the schools the key's holder keeps")
    try:
        support.work(
            found,
            status=change.status,
            priority=change.priority,
            note=change.note,
            actor=request.auth,  # type: ignore[attr-defined]
        )
    except support.Refused as refusal:
        raise HttpError(409, str(refusal)) from refusal
    found.refresh_from_db()
    return _request(found)

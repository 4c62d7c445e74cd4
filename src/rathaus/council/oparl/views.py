"""The OParl endpoints: the System, the bodies, the lists of a body and every object by id.

A request sees the council (``Body``) of the authority its host name leads to
(``core.tenancy``); objects of other authorities answer 404 as if they did not exist.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from rathaus.core.tenancy import current_authority
from rathaus.council import models
from rathaus.council.oparl import checksums, paging, querysets, responses, visibility
from rathaus.council.oparl.addresses import SEGMENTS, Addresses
from rathaus.council.oparl.serializers import Json, Writer

TYPES = {segment: type_name for type_name, segment in SEGMENTS.items() if type_name != "Body"}


def _body(request: HttpRequest) -> models.Body | None:
    authority = current_authority(request)
    if authority is None:
        return None
    return models.Body.objects.filter(authority=authority).first()


def _bodies(request: HttpRequest) -> Any:
    authority = current_authority(request)
    return models.Body.objects.filter(authority=authority)


def _terms(body: models.Body) -> list[models.LegislativeTerm]:
    return list(models.LegislativeTerm.objects.filter(body=body).order_by("start_date", "id"))


def _bad(error: paging.BadParameter) -> HttpResponse:
    return responses.problem(
        400, "Bad Request", f"The parameter {error.name} is not valid: {error.reason}.",
        invalid_params=[{"name": error.name, "reason": error.reason}],
    )  # fmt: skip


@require_safe
def system(request: HttpRequest) -> HttpResponse:
    addresses = Addresses(request)
    authority = current_authority(request)
    body = _body(request)
    data: Json = {
        "id": addresses.system(),
        "type": "https://schema.oparl.org/1.1/System",
        "oparlVersion": "https://schema.oparl.org/1.1/",
        "body": addresses.bodies(),
        "name": f"Ratsinformationen {authority.name}" if authority else "Ratsinformationen",
        "website": addresses.absolute("/"),
    }
    if body is not None:
        if body.contact_email:
            data["contactEmail"] = body.contact_email
        if body.contact_name:
            data["contactName"] = body.contact_name
        if body.license:
            data["license"] = body.license
    return responses.json(data)


@require_safe
def bodies(request: HttpRequest) -> HttpResponse:
    addresses = Addresses(request)
    try:
        wanted = paging.read(request.GET)
    except paging.BadParameter as error:
        return _bad(error)
    writer = Writer(addresses)
    result = paging.page(_bodies(request), wanted, _list_address(addresses.bodies()))
    data = [writer.body(body, _terms(body)) for body in result.rows]
    return responses.json({"data": data, "pagination": result.pagination, "links": result.links})


def _list_address(base: str) -> Any:
    def address(**params: str) -> str:
        from urllib.parse import urlencode

        return f"{base}?{urlencode(params)}" if params else base

    return address


@require_safe
def body(request: HttpRequest, pk: int) -> HttpResponse:
    found = _bodies(request).filter(pk=pk).first()
    if found is None:
        return responses.not_found()
    return responses.json(Writer(Addresses(request)).body(found, _terms(found)))


@require_safe
def body_list(request: HttpRequest, pk: int, segment: str) -> HttpResponse:
    type_name = TYPES.get(segment)
    found = _bodies(request).filter(pk=pk).first()
    if type_name is None or found is None:
        return responses.not_found("No such list.")
    try:
        wanted = paging.read(request.GET)
    except paging.BadParameter as error:
        return _bad(error)
    addresses = Addresses(request)
    writer = Writer(addresses)
    address = partial(addresses.body_list, found.pk, type_name)
    result = paging.page(querysets.of_type(type_name, found), wanted, address)
    data = [writer.write(type_name, row) for row in result.rows]
    return responses.json({"data": data, "pagination": result.pagination, "links": result.links})


@require_safe
def single(request: HttpRequest, segment: str, pk: int) -> HttpResponse:
    type_name = TYPES.get(segment)
    found_body = _body(request)
    if type_name is None or found_body is None:
        return responses.not_found()
    found = querysets.of_type(type_name, found_body).filter(pk=pk)
    obj = (found.defer(None) if type_name == "File" else found).first()
    if obj is None:
        return responses.not_found()
    writer = Writer(Addresses(request))
    if type_name == "File":
        if not obj.deleted:
            checksums.complete(obj)
        return responses.json(writer.file(obj, back=_file_back(writer, obj), with_text=True))
    if type_name == "Location":
        return responses.json(writer.location(obj, back=_location_back(writer, obj)))
    return responses.json(writer.write(type_name, obj))


def _file_back(writer: Writer, file: models.File) -> Json:
    """The back references of a file fetched alone: where it belongs."""
    if file.deleted:
        return {}
    # only the live public owners (visibility): a closed session's item is not named
    live_meetings = models.Meeting.objects.filter(deleted=False)
    meetings = set(
        live_meetings.filter(
            Q(invitation=file) | Q(results_protocol=file) | Q(verbatim_protocol=file)
        ).values_list("pk", flat=True)
    ) | set(live_meetings.filter(auxiliary_files=file).values_list("pk", flat=True))
    live_items = models.AgendaItem.objects.filter(
        public=True, deleted=False, meeting__deleted=False
    )
    items = set(live_items.filter(resolution_file=file).values_list("pk", flat=True)) | set(
        live_items.filter(auxiliary_files=file).values_list("pk", flat=True)
    )
    live_papers = models.Paper.objects.filter(deleted=False)
    papers = set(live_papers.filter(main_file=file).values_list("pk", flat=True)) | set(
        live_papers.filter(auxiliary_files=file).values_list("pk", flat=True)
    )
    derived = models.File.objects.filter(visibility.served(), master_file=file).order_by("pk")
    a = writer.a
    return {
        "meeting": a.objects("Meeting", sorted(meetings)),
        "agendaItem": a.objects("AgendaItem", sorted(items)),
        "paper": a.objects("Paper", sorted(papers)),
        "derivativeFile": a.objects("File", list(derived.values_list("pk", flat=True))),
    }


def _location_back(writer: Writer, location: models.Location) -> Json:
    if location.deleted:
        return {}
    a = writer.a

    def ids(model: Any, **lookup: Any) -> list[int]:
        return list(model.objects.filter(**lookup).order_by("pk").values_list("pk", flat=True))

    return {
        "organizations": a.objects("Organization", ids(models.Organization, location=location)),
        "persons": a.objects("Person", ids(models.Person, location=location)),
        "meetings": a.objects("Meeting", ids(models.Meeting, location=location)),
        "papers": a.objects("Paper", ids(models.Paper, locations=location)),
    }

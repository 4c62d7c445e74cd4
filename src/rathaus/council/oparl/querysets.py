"""The rows of a list page with everything their objects embed, in a constant number of queries.

One query per relation and page, whatever the page's length: embedded objects come through
``Prefetch`` with their stored files joined, relations that are only written as addresses load
their ids only. Embedded lists hold only objects that are not deleted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet

from rathaus.council import models
from rathaus.council.oparl.visibility import listed


def _to(name: str, queryset: Any) -> Prefetch[Any]:
    # into a list attribute ("p_<name>"): Django then skips building a related manager's
    # queryset per row and relation, which cost more than the queries themselves
    return Prefetch(name, queryset=queryset, to_attr=f"p_{name}")


def _ids(name: str, model: Any, *also: str) -> Prefetch[Any]:
    """Only the ids (and, for a reverse foreign key, the key to the row it belongs to)."""
    return _to(name, model.objects.only("id", *also).order_by("id"))


def _files(name: str) -> Prefetch[Any]:
    # a file's text is written only when the file is fetched alone
    return _to(
        name, models.File.objects.filter(deleted=False).select_related("stored").defer("text")
    )


def _alive(name: str, model: Any) -> Prefetch[Any]:
    return _to(name, model.objects.filter(deleted=False).order_by("id"))


def _agenda_items() -> QuerySet[models.AgendaItem]:
    return (
        models.AgendaItem.objects.select_related("resolution_file__stored")
        .defer("resolution_file__text")
        .prefetch_related(
            _files("auxiliary_files"),
            _to(
                "consultations",
                models.Consultation.objects.filter(deleted=False).only("id", "agenda_item_id"),
            ),
        )
    )


def _consultations() -> QuerySet[models.Consultation]:
    # whether its agenda item is public: a non-public one is not named (serializers)
    return models.Consultation.objects.annotate(
        item_public=F("agenda_item__public")
    ).prefetch_related(_ids("organizations", models.Organization))


def of_type(type_name: str, body: models.Body) -> QuerySet:  # type: ignore[type-arg]
    """All objects of one type of a body, with what their list entries need."""
    if type_name == "LegislativeTerm":
        return models.LegislativeTerm.objects.filter(body=body)
    if type_name == "Location":
        return models.Location.objects.filter(body=body)
    if type_name == "Membership":
        return models.Membership.objects.filter(body=body)
    if type_name == "File":
        return (
            models.File.objects.filter(body=body)
            .filter(listed())
            .select_related("stored")
            .defer("text")  # the single object loads it (views.single)
        )
    if type_name == "Organization":
        return (
            models.Organization.objects.filter(body=body)
            .select_related("location")
            .prefetch_related(_ids("memberships", models.Membership, "organization_id"))
        )
    if type_name == "Person":
        return (
            models.Person.objects.filter(body=body)
            .select_related("location")
            .prefetch_related(_alive("memberships", models.Membership))
        )
    if type_name == "Meeting":
        return (
            models.Meeting.objects.filter(body=body)
            .select_related(
                "location",
                "invitation__stored",
                "results_protocol__stored",
                "verbatim_protocol__stored",
            )
            .defer("invitation__text", "results_protocol__text", "verbatim_protocol__text")
            .prefetch_related(
                _ids("organizations", models.Organization),
                _ids("participants", models.Person),
                _files("auxiliary_files"),
                _to("agenda_items", _agenda_items().filter(deleted=False).order_by("order", "id")),
            )
        )
    if type_name == "AgendaItem":
        return _agenda_items().filter(body=body)
    if type_name == "Paper":
        return (
            models.Paper.objects.filter(body=body)
            .select_related("main_file__stored")
            .defer("main_file__text")
            .prefetch_related(
                _ids("related_papers", models.Paper),
                _ids("superordinated_papers", models.Paper),
                _ids("subordinated_papers", models.Paper),
                _files("auxiliary_files"),
                _alive("locations", models.Location),
                _ids("originator_persons", models.Person),
                _ids("under_direction_of", models.Organization),
                _ids("originator_organizations", models.Organization),
                _to("consultations", _consultations().filter(deleted=False).order_by("id")),
            )
        )
    if type_name == "Consultation":
        return _consultations().filter(body=body)
    raise LookupError(type_name)

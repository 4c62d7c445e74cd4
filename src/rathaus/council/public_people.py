"""Persons and organisations of the council: who sits in the council, its committees and
factions, with their roles and periods; an organisation's members and meetings.

Only what the person made public for the office is shown (the model keeps nothing else): office
e-mail, office phone, office address. Deleted persons, organisations and memberships never
appear; "current" means the membership has begun and not ended today.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.council import public
from rathaus.council.models import Body, Membership, Organization, Paper, Person

MEETINGS_SHOWN = 20
PAPERS_SHOWN = 20
MEETING_TYPES = (Organization.Type.COMMITTEE, Organization.Type.EXTERNAL)
NAMED = (Organization.Type.FACTION, Organization.Type.PARTY)


def memberships_of(body: Body) -> Any:
    return (
        Membership.objects.filter(body=body, deleted=False, person__deleted=False,
                                  organization__deleted=False)
        .select_related("person", "organization")
        .order_by("organization__position", "organization__name", "person__family_name",
                  "person__given_name", "id")
    )  # fmt: skip


def _membership_row(membership: Membership) -> dict[str, Any]:
    return {
        "membership": membership,
        "organization": membership.organization,
        "person": membership.person,
        "role": membership.role,
        "period": public.period_in_words(membership.start_date, membership.end_date),
    }


@require_safe
def person_list(request: HttpRequest) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        return public.no_council(request, _("Persons"))
    today = timezone.localdate()
    current = [
        m for m in memberships_of(body) if public.is_current(m.start_date, m.end_date, today)
    ]
    persons = list(Person.objects.filter(body=body, deleted=False))
    roles: dict[int, list[dict[str, Any]]] = {person.pk: [] for person in persons}
    factions: dict[int, dict[str, Any]] = {}
    in_faction: set[int] = set()
    for membership in current:
        roles.setdefault(membership.person_id, []).append(_membership_row(membership))
        organization = membership.organization
        if organization.organization_type == Organization.Type.FACTION:
            group = factions.setdefault(organization.pk, {"organization": organization,
                                                          "persons": []})  # fmt: skip
            if membership.person not in group["persons"]:
                group["persons"].append(membership.person)
            in_faction.add(membership.person_id)
    for person in persons:
        person.roles = roles.get(person.pk, [])  # type: ignore[attr-defined]
    by_id = {person.pk: person for person in persons}
    position = {person.pk: index for index, person in enumerate(persons)}
    groups = []
    for group in factions.values():
        group["persons"] = sorted((by_id[p.pk] for p in group["persons"] if p.pk in by_id),
                                  key=lambda person: position[person.pk])  # fmt: skip
        groups.append(group)
    others = [person for person in persons if person.pk not in in_faction]
    context = {"body": body, "groups": groups, "others": others, "count": len(persons)}
    return render(request, "council/persons.html", context)


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        raise Http404("no council")
    person = (Person.objects.filter(body=body, deleted=False, pk=pk)
              .select_related("location").first())  # fmt: skip
    if person is None:
        raise Http404("no such person")
    today = timezone.localdate()
    current: list[dict[str, Any]] = []
    former: list[dict[str, Any]] = []
    for membership in memberships_of(body).filter(person=person).select_related("on_behalf_of"):
        row = _membership_row(membership)
        (current if public.is_current(membership.start_date, membership.end_date, today)
         else former).append(row)  # fmt: skip
    papers = list(Paper.objects.filter(body=body, deleted=False, originator_persons=person)
                  .order_by("-date", "-id")[:PAPERS_SHOWN])  # fmt: skip
    context = {
        "body": body,
        "person": person,
        "address": public.address_of(person.location),
        "current": current,
        "former": former,
        "papers": papers,
    }
    return render(request, "council/person.html", context)


@require_safe
def organization_list(request: HttpRequest) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        return public.no_council(request, _("Committees and factions"))
    organizations = list(Organization.objects.filter(body=body, deleted=False))

    def of(*kinds: str) -> list[Organization]:
        return [o for o in organizations if o.organization_type in kinds]

    named = (*MEETING_TYPES, Organization.Type.FACTION, Organization.Type.PARTY)
    groups = [
        (_("Council and committees"), of(*MEETING_TYPES)),
        (_("Factions"), of(Organization.Type.FACTION)),
        (_("Parties"), of(Organization.Type.PARTY)),
        (
            _("Further organisations"),
            [o for o in organizations if o.organization_type not in named],
        ),
    ]
    context = {"body": body, "groups": [(label, items) for label, items in groups if items]}
    return render(request, "council/organizations.html", context)


@require_safe
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        raise Http404("no council")
    organization = (Organization.objects.filter(body=body, deleted=False, pk=pk)
                    .select_related("location").first())  # fmt: skip
    if organization is None:
        raise Http404("no such organisation")
    today = timezone.localdate()
    current: list[dict[str, Any]] = []
    former: list[dict[str, Any]] = []
    for membership in (
        memberships_of(body)
        .filter(organization=organization)
        .order_by("person__family_name", "person__given_name", "id")
    ):
        row = _membership_row(membership)
        (current if public.is_current(membership.start_date, membership.end_date, today)
         else former).append(row)  # fmt: skip
    now = timezone.now()
    meetings = public.meetings_of(body).filter(organizations=organization)
    upcoming = list(meetings.filter(start__gte=now).order_by("start", "id")[:MEETINGS_SHOWN])
    held = list(meetings.filter(start__lt=now).order_by("-start", "-id")[:MEETINGS_SHOWN])
    for meeting in [*upcoming, *held]:
        public.describe(meeting)
    parent = organization.sub_organization_of
    if parent is not None and parent.deleted:
        parent = None
    parts = list(Organization.objects.filter(sub_organization_of=organization, deleted=False))
    context = {
        "body": body,
        "organization": organization,
        "parent": parent,
        "parts": parts,
        "address": public.address_of(organization.location),
        "period": public.period_in_words(organization.start_date, organization.end_date),
        "current": current,
        "former": former,
        "upcoming": upcoming,
        "held": held,
        "has_calendar": organization.organization_type in MEETING_TYPES,
    }
    return render(request, "council/organization.html", context)

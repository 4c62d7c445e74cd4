"""Staff pages for the council's persons (with their memberships), organisations, legislative
terms and locations, below ``/verwaltung/rat/``.

Who may use them: :func:`rathaus.council.keepers.may_keep` — superusers, the roles
"Administration" and "Ratsbüro" in a unit of the authority. Others get a 403 in the staff frame;
an object of a council the user does not keep is a 404. Deleting is soft (``deleted=True``, the
OParl server still lists the object as deleted) and asks for confirmation; every change is
audited (``council.<kind>.created|changed|deleted``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import audit
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.council import keepers
from rathaus.council import staff_people_forms as people_forms
from rathaus.council.models import (
    Body,
    BodyObject,
    LegislativeTerm,
    Location,
    Membership,
    Organization,
    Person,
)


@dataclass(frozen=True)
class Kind:
    """One kind of object kept on these pages: its model, form, names and list columns."""

    key: str  # the URL names' stem and the audit action's middle part
    model: type[BodyObject]
    form: type[people_forms.BodyForm]
    plural: Any  # a lazy translation
    add_label: Any
    intro: Any
    headers: tuple[Any, ...]
    cells: Callable[[Any], list[str]]
    related: tuple[str, ...] = ()

    @property
    def list_url(self) -> str:
        return f"council_staff:{self.key}s"

    def url(self, suffix: str = "", *args: Any) -> str:
        """The address of this kind's page ``<key><suffix>``, e.g. ``person_add``."""
        return reverse(f"council_staff:{self.key}{suffix}", args=args)


def _join(values: list[str]) -> str:
    return ", ".join(values) or "–"


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "person", Person, people_forms.PersonForm, gettext_lazy("Persons"),
            gettext_lazy("Add a person"),
            gettext_lazy("Council members, committee members and the people who speak for the "
                         "administration. Only office contact data belongs here."),
            (gettext_lazy("Name"), gettext_lazy("Roles"), gettext_lazy("Memberships")),
            lambda person: [_join(person.status), str(person.membership_count)],
        ),
        Kind(
            "organization", Organization, people_forms.OrganizationForm,
            gettext_lazy("Council, committees and factions"), gettext_lazy("Add an organisation"),
            gettext_lazy("The council, its committees and the factions, in the order of the "
                         "position."),
            (gettext_lazy("Name"), gettext_lazy("Kind"), gettext_lazy("Part of"),
             gettext_lazy("Period"), gettext_lazy("Position")),
            lambda org: [org.get_organization_type_display(),
                         str(org.sub_organization_of or "–"),
                         people_forms.period_in_words(org), str(org.position)],
            related=("sub_organization_of",),
        ),
        Kind(
            "term", LegislativeTerm, people_forms.TermForm, gettext_lazy("Legislative terms"),
            gettext_lazy("Add a legislative term"),
            gettext_lazy("The council's terms of office. Terms must not overlap."),
            (gettext_lazy("Name"), gettext_lazy("Period")),
            lambda term: [people_forms.period_in_words(term)],
        ),
        Kind(
            "location", Location, people_forms.LocationForm, gettext_lazy("Locations"),
            gettext_lazy("Add a location"),
            gettext_lazy("Places of meetings and offices, for example the council chamber."),
            (gettext_lazy("Description"), gettext_lazy("Address"), gettext_lazy("Room"),
             gettext_lazy("On the map")),
            lambda place: [_join([p for p in (place.street_address, place.postal_code,
                                              place.locality) if p]),
                           place.room or "–", _("yes") if place.geojson else _("no")],
        ),
    )
}  # fmt: skip


# --- who and which council ---------------------------------------------------------------------


def _authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = keepers.kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("keeps the council information of no authority")
    return found


def _chosen(request: HttpRequest) -> tuple[Authority, QuerySet[Authority]]:
    authorities = _authorities(request)
    slug = request.GET.get("behoerde", "")[:100]
    chosen = authorities.filter(slug=slug).first() if slug else None
    return chosen or authorities.first(), authorities  # type: ignore[return-value]


def body_of(authority: Authority) -> Body:
    """The council of the authority, made on first use with the authority's name and key."""
    body, _created = Body.objects.get_or_create(
        authority=authority,
        defaults={"name": _("Council of %(name)s") % {"name": authority.name},
                  "ags": authority.ags[:8]},
    )  # fmt: skip
    return body


def _object(request: HttpRequest, model: type[models.Model], pk: int, **lookup: Any) -> Any:
    found = (
        model._default_manager.select_related("body__authority")
        .filter(pk=pk, deleted=False, body__authority__in=_authorities(request), **lookup)
        .first()
    )
    if found is None:
        raise Http404("no such object in a council the user keeps")
    return found


def _record(request: HttpRequest, action: str, obj: Any, **details: Any) -> None:
    audit.record(f"council.{action}", actor=request.user, authority=obj.body.authority, obj=obj,
                 details=details or None)  # fmt: skip


# --- lists, forms, deletion of every kind -----------------------------------------------------


@never_cache
@require_safe
@staff_required
def object_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    authority, authorities = _chosen(request)
    found = spec.model._default_manager.filter(body__authority=authority, deleted=False)
    if spec.related:
        found = found.select_related(*spec.related)
    if spec.model is Person:
        live = models.Q(memberships__deleted=False)
        found = found.annotate(membership_count=models.Count("memberships", filter=live))
    rows = [(spec.url("", obj.pk), obj, spec.cells(obj)) for obj in found[:1000]]
    context = {"kind": spec, "authority": authority, "authorities": authorities, "rows": rows,
               "add_url": f"{spec.url('_add')}?behoerde={authority.slug}",
               "headers": spec.headers}  # fmt: skip
    return render(request, "council/staff/people/list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def object_add(request: HttpRequest, kind: str) -> HttpResponseBase:
    spec = KINDS[kind]
    authority = _chosen(request)[0]
    form = spec.form(request.POST or None, body=body_of(authority))
    if request.method == "POST" and form.is_valid():
        obj = _save(request, spec, form, created=True)
        return redirect(reverse(f"council_staff:{spec.key}", args=[obj.pk]))
    return _form_page(request, spec, form, None, authority)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def object_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponseBase:
    spec = KINDS[kind]
    obj = _object(request, spec.model, pk)
    form = spec.form(request.POST or None, instance=obj, body=obj.body)
    if request.method == "POST" and form.is_valid():
        _save(request, spec, form, created=False)
        return redirect(reverse(f"council_staff:{spec.key}", args=[obj.pk]))
    return _form_page(request, spec, form, obj, obj.body.authority)


def _save(request: HttpRequest, spec: Kind, form: Any, created: bool) -> Any:
    with transaction.atomic():
        obj = form.save()
        _record(request, f"{spec.key}.{'created' if created else 'changed'}", obj,
                fields=sorted(form.changed_data))  # fmt: skip
    messages.success(request, _("“%(name)s” was saved.") % {"name": obj})
    return obj


def _form_page(
    request: HttpRequest, spec: Kind, form: Any, obj: Any, authority: Authority
) -> HttpResponse:
    context: dict[str, Any] = {
        "kind": spec, "form": form, "object": obj, "authority": authority,
        "list_url": f"{reverse(spec.list_url)}?behoerde={authority.slug}",
        "action": spec.url("", obj.pk) if obj else f"{spec.url('_add')}?behoerde={authority.slug}",
        "delete_url": spec.url("_delete", obj.pk) if obj else None,
    }  # fmt: skip
    if spec.model is Person and obj is not None:
        context["memberships"] = (
            obj.memberships.filter(deleted=False)
            .select_related("organization", "on_behalf_of")
            .order_by("-start_date", "organization__position", "id")
        )
    status = 422 if form.is_bound else 200
    return render(request, "council/staff/people/edit.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def object_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponseBase:
    spec = KINDS[kind]
    obj = _object(request, spec.model, pk)
    back = reverse(f"council_staff:{spec.key}", args=[obj.pk])
    if request.method == "POST":
        _delete(request, spec.key, obj)
        return redirect(f"{reverse(spec.list_url)}?behoerde={obj.body.authority.slug}")
    context = {"kind": spec, "object": obj, "authority": obj.body.authority, "back": back,
               "action": spec.url("_delete", obj.pk)}  # fmt: skip
    return render(request, "council/staff/people/delete.html", context)


def _delete(request: HttpRequest, key: str, obj: Any) -> None:
    with transaction.atomic():
        obj.deleted = True
        obj.save(update_fields=["deleted"])
        _record(request, f"{key}.deleted", obj)
    messages.success(request, _("“%(name)s” was deleted.") % {"name": obj})


# --- a person's memberships -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def membership_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = _object(request, Person, pk)
    form = people_forms.MembershipForm(request.POST or None, person=person)
    return _membership_page(request, person, form, None)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def membership_edit(request: HttpRequest, pk: int, membership: int) -> HttpResponseBase:
    person = _object(request, Person, pk)
    found = _object(request, Membership, membership, person=person)
    form = people_forms.MembershipForm(request.POST or None, instance=found, person=person)
    return _membership_page(request, person, form, found)


def _membership_page(
    request: HttpRequest, person: Person, form: people_forms.MembershipForm, found: Any
) -> HttpResponseBase:
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            _record(request, f"membership.{'changed' if found else 'created'}", saved,
                    fields=sorted(form.changed_data))  # fmt: skip
        messages.success(request, _("The membership in “%(name)s” was saved.")
                         % {"name": saved.organization})  # fmt: skip
        return redirect(reverse("council_staff:person", args=[person.pk]) + "#mitgliedschaften")
    context = {"person": person, "form": form, "membership": found,
               "authority": person.body.authority}  # fmt: skip
    return render(request, "council/staff/people/membership.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def membership_delete(request: HttpRequest, pk: int, membership: int) -> HttpResponseBase:
    person = _object(request, Person, pk)
    found = _object(request, Membership, membership, person=person)
    back = reverse("council_staff:person", args=[person.pk]) + "#mitgliedschaften"
    if request.method == "POST":
        _delete(request, "membership", found)
        return redirect(back)
    context = {"kind": None, "object": found, "authority": person.body.authority, "back": back,
               "person": person, "action": reverse("council_staff:membership_delete",
                                                   args=[person.pk, found.pk])}  # fmt: skip
    return render(request, "council/staff/people/delete.html", context)

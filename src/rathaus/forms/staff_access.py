"""Who may do what on the staff pages for online forms, and how they find a form or version.

Staff see the forms of the authorities they have a membership in; forms of other authorities are
answered with 404. Changing forms needs the role that may change every offer of the authority in
the catalogue (``OfferAccess.all_units``: heads of office and administrators); everyone else gets
a 403 page.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.catalog.selectors import OfferAccess, offer_accesses
from rathaus.catalog.staff_access import acting_user, authority_list_url, chosen_access
from rathaus.core.models import Authority
from rathaus.forms.models import FormDefinition, FormVersion, Submission


def may_change(access: OfferAccess) -> bool:
    """Whether the user may create, import, edit, publish and retire the authority's forms."""
    return access.all_units


def list_url(authority: Authority) -> str:
    return authority_list_url("forms_staff:list", authority)


def refused(
    request: HttpRequest, message: str, *, status: int = 403, back_url: str = ""
) -> HttpResponse:
    context = {"message": message, "back_url": back_url, "status": status}
    return render(request, "forms/staff/refused.html", context, status=status)


def no_role(request: HttpRequest, authority: Authority, back_url: str = "") -> HttpResponse:
    message = _(
        "Your role in %(authority)s does not allow changing its online forms. Forms are "
        "created, changed, published and retired by heads of office and administrators."
    ) % {"authority": authority.name}
    return refused(request, message, back_url=back_url or list_url(authority))


def draft_refusal(
    request: HttpRequest,
    access: OfferAccess,
    version: FormVersion,
    message: str,
    back_url: str = "",
) -> HttpResponse | None:
    """The page refusing a change of the version: to a user without the role, or because the
    version is no longer in preparation (``message``, with its number and status filled in).
    Both lead back to the version, unless ``back_url`` names another page."""
    if not may_change(access):
        return no_role(request, access.authority, version_url(version))
    if version.status != FormVersion.Status.DRAFT:
        message %= {"number": version.number, "status": version.get_status_display()}
        return refused(request, message, status=409, back_url=back_url or version_url(version))
    return None


def access_or_refusal(request: HttpRequest) -> tuple[OfferAccess, list[OfferAccess]] | HttpResponse:
    """The authority named by ``?behoerde=<slug>`` (by default the first by name) and all."""
    accesses = offer_accesses(acting_user(request).pk)
    if not accesses:
        return refused(
            request,
            _(
                "You are not a member of any organisational unit, so there are no online forms "
                "you could see. Please ask your administrator."
            ),
        )
    return chosen_access(request, accesses), accesses


def changing_access(request: HttpRequest) -> OfferAccess | HttpResponse:
    """The chosen authority if the user may change its forms, otherwise the page refusing it."""
    found = access_or_refusal(request)
    if isinstance(found, HttpResponse):
        return found
    access, _accesses = found
    if not may_change(access):
        return no_role(request, access.authority)
    return access


def definition_of(request: HttpRequest, pk: int) -> tuple[FormDefinition, OfferAccess]:
    """A form of one of the user's authorities; 404 for every other form."""
    by_authority = {
        access.authority.pk: access for access in offer_accesses(acting_user(request).pk)
    }
    definition = (
        FormDefinition.objects.filter(pk=pk, authority_id__in=list(by_authority))
        .select_related("authority", "offer__service")
        .first()
    )
    if definition is None:
        raise Http404("no form of the user's authorities")
    return definition, by_authority[definition.authority_id]


def version_of(
    request: HttpRequest, pk: int, number: int
) -> tuple[FormDefinition, FormVersion, OfferAccess]:
    """A version of a form of one of the user's authorities, with the form and the access;
    404 for every other version."""
    definition, access = definition_of(request, pk)
    version = (
        FormVersion.objects.filter(definition=definition, number=number)
        .select_related("published_by")
        .first()
    )
    if version is None:
        raise Http404("no such version")
    version.definition = definition
    return definition, version, access


def detail_url(definition: FormDefinition) -> str:
    return reverse("forms_staff:detail", args=[definition.pk])


def version_url(version: FormVersion) -> str:
    return reverse("forms_staff:version", args=[version.definition_id, version.number])


def staff_definitions(authority: Authority) -> QuerySet[FormDefinition]:
    """The authority's forms with their version numbers and submission counts, in one query."""
    versions = FormVersion.objects.filter(definition=OuterRef("pk"))
    published = versions.filter(status=FormVersion.Status.PUBLISHED).order_by("-number")
    drafts = versions.filter(status=FormVersion.Status.DRAFT)
    draft_count = drafts.order_by().values("definition").annotate(n=Count("pk")).values("n")
    submissions = (
        Submission.objects.filter(form_version__definition=OuterRef("pk"))
        .order_by()
        .values("form_version__definition")
        .annotate(n=Count("pk"))
        .values("n")
    )
    zero = Value(0, output_field=IntegerField())
    return (
        FormDefinition.objects.filter(authority=authority)
        .select_related("offer__service")
        .annotate(
            published_number=Subquery(published.values("number")[:1]),
            draft_number=Subquery(drafts.order_by("-number").values("number")[:1]),
            draft_count=Coalesce(Subquery(draft_count, output_field=IntegerField()), zero),
            submission_count=Coalesce(Subquery(submissions, output_field=IntegerField()), zero),
        )
        .order_by("title", "pk")
    )

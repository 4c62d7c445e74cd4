"""Staff pages for online forms at /verwaltung/formulare/: list, create, import, edit, publish.

Staff see the forms of the authorities they have a membership in; forms of other authorities are
answered with 404. Changing forms needs the role that may change every offer of the authority in
the catalogue (``OfferAccess.all_units``: heads of office and administrators); everyone else gets
a 403 page. Every change goes through ``forms.services``, which validates and audits it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.catalog.selectors import OfferAccess, offer_accesses
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.forms import services
from rathaus.forms.engine import DefinitionError, FormSpec
from rathaus.forms.models import Draft, FormDefinition, FormVersion, Submission
from rathaus.forms.rendering import BoundElement, StepBinder
from rathaus.forms.staff_forms import (
    DefinitionCreateForm,
    DefinitionJSONForm,
    ImportForm,
    VersionForm,
    pretty_json,
)
from rathaus.forms.xdatenfelder import ConvertedForm, slug_for

SESSION_IMPORT = "rathaus_forms_import"
SLUG_MAX = 80
MAX_PROBLEMS_SHOWN = 10


# --- who may do what -----------------------------------------------------------------------------


def _actor(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    if not isinstance(user, AbstractBaseUser):  # staff_required lets no anonymous user through
        raise PermissionDenied
    return user


def may_change(access: OfferAccess) -> bool:
    """Whether the user may create, import, edit, publish and retire the authority's forms."""
    return access.all_units


def _list_url(authority: Authority) -> str:
    return f"{reverse('forms_staff:list')}?{urlencode({'behoerde': authority.slug})}"


def _refused(
    request: HttpRequest, message: str, *, status: int = 403, back_url: str = ""
) -> HttpResponse:
    context = {"message": message, "back_url": back_url, "status": status}
    return render(request, "forms/staff/refused.html", context, status=status)


def _no_role(request: HttpRequest, authority: Authority, back_url: str = "") -> HttpResponse:
    message = _(
        "Your role in %(authority)s does not allow changing its online forms. Forms are "
        "created, changed, published and retired by heads of office and administrators."
    ) % {"authority": authority.name}
    return _refused(request, message, back_url=back_url or _list_url(authority))


def _chosen_access(request: HttpRequest) -> tuple[OfferAccess, list[OfferAccess]] | HttpResponse:
    """The authority named by ``?behoerde=<slug>`` (by default the first by name) and all."""
    accesses = offer_accesses(_actor(request).pk)
    if not accesses:
        return _refused(
            request,
            _(
                "You are not a member of any organisational unit, so there are no online forms "
                "you could see. Please ask your administrator."
            ),
        )
    slug = request.GET.get("behoerde", "").strip()
    if not slug:
        return accesses[0], accesses
    for access in accesses:
        if access.authority.slug == slug:
            return access, accesses
    raise Http404("not an authority of this user")


def _definition(request: HttpRequest, pk: int) -> tuple[FormDefinition, OfferAccess]:
    """A form of one of the user's authorities; 404 for every other form."""
    by_authority = {access.authority.pk: access for access in offer_accesses(_actor(request).pk)}
    definition = (
        FormDefinition.objects.filter(pk=pk, authority_id__in=list(by_authority))
        .select_related("authority", "offer__service")
        .first()
    )
    if definition is None:
        raise Http404("no form of the user's authorities")
    return definition, by_authority[definition.authority_id]


def _version(definition: FormDefinition, number: int) -> FormVersion:
    version = (
        FormVersion.objects.filter(definition=definition, number=number)
        .select_related("published_by")
        .first()
    )
    if version is None:
        raise Http404("no such version")
    version.definition = definition
    return version


def _detail_url(definition: FormDefinition) -> str:
    return reverse("forms_staff:detail", args=[definition.pk])


def _version_url(version: FormVersion) -> str:
    return reverse("forms_staff:version", args=[version.definition_id, version.number])


# --- queries -------------------------------------------------------------------------------------


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


# --- preview -------------------------------------------------------------------------------------


@dataclass
class PreviewStep:
    number: int
    title: str
    description: str
    elements: list[BoundElement]


@dataclass
class Preview:
    """What the preview region shows: the steps, or the problems that prevent them."""

    steps: list[PreviewStep] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shown: bool = False


def preview_of(spec: FormSpec) -> Preview:
    """Every step as the citizen sees it when starting, conditional questions included."""
    every_question = {template for template, _element in spec.fields()}
    steps = []
    for index, step in enumerate(spec.steps):
        binder = StepBinder(spec, index, {})
        # Conditions on any step are shown as hints, as for conditions on the same step.
        binder.step_templates = every_question
        steps.append(PreviewStep(index + 1, step.title, step.description, binder.bind()))
    return Preview(steps=steps, shown=True)


def _stored_preview(version: FormVersion) -> Preview:
    try:
        return preview_of(FormSpec(version.schema, version.layout))
    except DefinitionError as exc:
        return Preview(problems=list(exc.problems), shown=True)


def _posted_preview(data: Any) -> Preview:
    form = DefinitionJSONForm(data)
    if not form.is_valid():
        return Preview(problems=form.problems, shown=True)
    return preview_of(form.spec())


# --- list ----------------------------------------------------------------------------------------


@never_cache
@staff_required
@require_safe
def form_list(request: HttpRequest) -> HttpResponse:
    found = _chosen_access(request)
    if isinstance(found, HttpResponse):
        return found
    access, accesses = found
    context = {
        "access": access,
        "may_change": may_change(access),
        "authority_choices": accesses if len(accesses) > 1 else [],
        "definitions": list(staff_definitions(access.authority)),
    }
    return render(request, "forms/staff/list.html", context)


# --- create and import ---------------------------------------------------------------------------


def starter_definition() -> tuple[dict[str, Any], dict[str, Any]]:
    """The smallest useful definition: one step with one text question."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {"anliegen": {"type": "string", "minLength": 1, "maxLength": 200}},
        "required": ["anliegen"],
    }
    layout = {
        "steps": [
            {
                "id": "angaben",
                "title": _("Your details"),
                "elements": [{"field": "anliegen", "widget": "text", "label": _("Your request")}],
            }
        ]
    }
    return schema, layout


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def form_create(request: HttpRequest) -> HttpResponse:
    found = _chosen_access(request)
    if isinstance(found, HttpResponse):
        return found
    access, _accesses = found
    if not may_change(access):
        return _no_role(request, access.authority)
    form = DefinitionCreateForm(
        request.POST if request.method == "POST" else None, authority=access.authority
    )
    if request.method == "POST" and form.is_valid():
        schema, layout = starter_definition()
        version = services.create_definition(
            authority=access.authority,
            slug=form.cleaned_data["slug"],
            title=form.cleaned_data["title"],
            offer=form.cleaned_data["offer"],
            schema=schema,
            layout=layout,
            actor=_actor(request),
        )
        messages.success(
            request,
            _("The form “%(title)s” was created. Now describe its questions.")
            % {"title": version.title},
        )
        return HttpResponseRedirect(_version_url(version))
    context = {"access": access, "form": form, "list_url": _list_url(access.authority)}
    return render(request, "forms/staff/create.html", context, status=400 if form.errors else 200)


def source_of(converted: ConvertedForm) -> str:
    return f"FIM {converted.identifier} v{converted.version}"[:200]


def unique_slug(authority: Authority, wanted: str) -> str:
    """``wanted``, or with -2, -3, … appended when another form of the authority has it."""
    base = wanted[:SLUG_MAX].strip("-") or "formular"
    taken = set(
        FormDefinition.objects.filter(authority=authority, slug__startswith=base[:60]).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return slug


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def form_import(request: HttpRequest) -> HttpResponse:
    found = _chosen_access(request)
    if isinstance(found, HttpResponse):
        return found
    access, _accesses = found
    if not may_change(access):
        return _no_role(request, access.authority)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, authority=access.authority)
    else:
        initial = {}
        wanted = request.GET.get("formular", "")
        if wanted.isdigit():
            initial["definition"] = int(wanted)
        form = ImportForm(initial=initial, authority=access.authority)
    if request.method == "POST" and form.is_valid():
        converted: ConvertedForm = form.cleaned_data["file"]
        definition: FormDefinition | None = form.cleaned_data["definition"]
        try:
            if definition is not None:
                version = services.new_version(
                    definition,
                    schema=converted.schema,
                    layout=converted.layout,
                    actor=_actor(request),
                    source=source_of(converted),
                )
            else:
                version = services.create_definition(
                    authority=access.authority,
                    slug=unique_slug(access.authority, slug_for(converted)),
                    title=converted.title[:200] or converted.identifier,
                    offer=form.cleaned_data["offer"],
                    schema=converted.schema,
                    layout=converted.layout,
                    actor=_actor(request),
                    introduction=converted.description,
                    source=source_of(converted),
                )
        except DefinitionError as exc:
            for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
                form.add_error(
                    "file",
                    _("The converted form cannot be used: %(problem)s") % {"problem": problem},
                )
            hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
            if hidden > 0:
                form.add_error(
                    "file",
                    ngettext(
                        "… and %(count)s more problem.", "… and %(count)s more problems.", hidden
                    )
                    % {"count": hidden},
                )
        else:
            request.session[SESSION_IMPORT] = {
                "version": version.pk,
                "warnings": list(converted.warnings),
                "file": getattr(request.FILES.get("file"), "name", ""),
            }
            messages.success(
                request,
                _("The file was imported as version %(number)s of “%(title)s”.")
                % {"number": version.number, "title": version.definition.title},
            )
            return HttpResponseRedirect(
                reverse("forms_staff:import_report", args=[version.definition_id, version.number])
            )
    context = {"access": access, "form": form, "list_url": _list_url(access.authority)}
    return render(request, "forms/staff/import.html", context, status=400 if form.errors else 200)


@never_cache
@staff_required
@require_safe
def import_report(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    definition, access = _definition(request, pk)
    version = _version(definition, number)
    stored = request.session.get(SESSION_IMPORT) or {}
    from_session = stored.get("version") == version.pk
    spec = _spec_or_none(version)
    context = {
        "definition": definition,
        "version": version,
        "may_change": may_change(access),
        "warnings": stored.get("warnings", []) if from_session else [],
        "warnings_known": from_session,
        "file_name": stored.get("file", "") if from_session else "",
        "notes": _notes(version),
        "step_count": len(spec.steps) if spec else 0,
        "question_count": len(spec.field_templates) if spec else 0,
        "list_url": _list_url(definition.authority),
    }
    return render(request, "forms/staff/import_report.html", context)


def _spec_or_none(version: FormVersion) -> FormSpec | None:
    try:
        return FormSpec(version.schema, version.layout)
    except DefinitionError:
        return None


def _notes(version: FormVersion) -> list[str]:
    notes = version.layout.get("notes", []) if isinstance(version.layout, dict) else []
    return [str(note) for note in notes] if isinstance(notes, list) else []


# --- one form ------------------------------------------------------------------------------------


@never_cache
@staff_required
@require_safe
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    definition, access = _definition(request, pk)
    versions = list(
        definition.versions.select_related("published_by")
        .annotate(submission_count=Count("submissions"))
        .order_by("-number")
    )
    published = next((v for v in versions if v.status == FormVersion.Status.PUBLISHED), None)
    context = {
        "definition": definition,
        "versions": versions,
        "published": published,
        "latest": versions[0] if versions else None,
        "submission_count": sum(version.submission_count for version in versions),
        "may_change": may_change(access),
        "list_url": _list_url(definition.authority),
        "address": reverse("forms:start", args=[definition.slug]),
    }
    return render(request, "forms/staff/detail.html", context)


@never_cache
@staff_required
@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    definition, access = _definition(request, pk)
    if not may_change(access):
        return _no_role(request, definition.authority, _detail_url(definition))
    latest = definition.versions.order_by("-number").first()
    if latest is None:
        raise Http404("a form without versions")
    try:
        version = services.new_version(
            definition, schema=latest.schema, layout=latest.layout, actor=_actor(request)
        )
    except DefinitionError as exc:
        messages.error(
            request,
            _("No new version was created: %(problems)s") % {"problems": " ".join(exc.problems)},
        )
        return HttpResponseRedirect(_detail_url(definition))
    messages.success(
        request,
        _("Version %(number)s was created as a copy of version %(previous)s.")
        % {"number": version.number, "previous": latest.number},
    )
    return HttpResponseRedirect(_version_url(version))


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def form_retire(request: HttpRequest, pk: int) -> HttpResponse:
    definition, access = _definition(request, pk)
    if not may_change(access):
        return _no_role(request, definition.authority, _detail_url(definition))
    if definition.retired_at is not None:
        messages.info(request, _("The form was already retired."))
        return HttpResponseRedirect(_detail_url(definition))
    if request.method == "POST":
        services.retire(definition, actor=_actor(request))
        messages.success(
            request,
            _("The form “%(title)s” was retired. It accepts no new applications.")
            % {"title": definition.title},
        )
        return HttpResponseRedirect(_detail_url(definition))
    open_drafts = Draft.objects.filter(
        version__definition=definition, submitted_at__isnull=True
    ).count()
    context = {
        "definition": definition,
        "open_drafts": open_drafts,
        "address": reverse("forms:start", args=[definition.slug]),
    }
    return render(request, "forms/staff/retire.html", context)


# --- one version ---------------------------------------------------------------------------------


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    definition, access = _definition(request, pk)
    version = _version(definition, number)
    editable = version.status == FormVersion.Status.DRAFT and may_change(access)
    if request.method == "POST":
        if not may_change(access):
            return _no_role(request, definition.authority, _version_url(version))
        if version.status != FormVersion.Status.DRAFT:
            return _refused(
                request,
                _(
                    "Version %(number)s is %(status)s and can no longer be changed, so that "
                    "applications made with it stay as they were. Create a new version to "
                    "make changes."
                )
                % {"number": version.number, "status": version.get_status_display()},
                status=409,
                back_url=_version_url(version),
            )
    if not editable:
        context = {
            "definition": definition,
            "version": version,
            "may_change": may_change(access),
            "schema_json": pretty_json(version.schema),
            "layout_json": pretty_json(version.layout),
            "notes": _notes(version),
            "preview": _stored_preview(version),
            "list_url": _list_url(definition.authority),
        }
        return render(request, "forms/staff/version_readonly.html", context)
    preview_url = reverse("forms_staff:preview", args=[definition.pk, version.number])
    action = ""
    if request.method == "POST":
        action = "preview" if request.POST.get("action") == "preview" else "save"
    if request.method == "POST":
        form = VersionForm(request.POST, preview_url=preview_url)
    else:
        form = VersionForm(initial=VersionForm.initial_for(version), preview_url=preview_url)
    status = 200
    if action == "preview":
        preview = _posted_preview(request.POST)
    elif action == "save":
        if form.is_valid():
            try:
                services.update_version(version, actor=_actor(request), **form.version_values())
            except DefinitionError as exc:
                for problem in exc.problems:
                    form.add_error("layout", problem)
            except ValueError:  # published by someone else in the meantime
                return _refused(
                    request,
                    _("Version %(number)s was published in the meantime and was not changed.")
                    % {"number": version.number},
                    status=409,
                    back_url=_version_url(version),
                )
            else:
                messages.success(
                    request, _("Version %(number)s was saved.") % {"number": version.number}
                )
                return HttpResponseRedirect(_version_url(version))
        status = 400
        preview = _posted_preview(request.POST)
    else:
        preview = _stored_preview(version)
    context = {
        "definition": definition,
        "version": version,
        "form": form,
        "show_summary": action == "save",
        "preview": preview,
        "notes": _notes(version),
        "list_url": _list_url(definition.authority),
    }
    return render(request, "forms/staff/version_edit.html", context, status=status)


@never_cache
@staff_required
@require_POST
def version_preview(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The preview region for the posted schema and layout (htmx swaps it in)."""
    definition, _access = _definition(request, pk)
    _version(definition, number)
    context = {"preview": _posted_preview(request.POST)}
    return render(request, "forms/staff/_preview.html", context)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    definition, access = _definition(request, pk)
    version = _version(definition, number)
    if not may_change(access):
        return _no_role(request, definition.authority, _version_url(version))
    if version.status != FormVersion.Status.DRAFT:
        return _refused(
            request,
            _("Version %(number)s is %(status)s; only a version in preparation can be published.")
            % {"number": version.number, "status": version.get_status_display()},
            status=409,
            back_url=_detail_url(definition),
        )
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.publish(version, actor=_actor(request))
        except DefinitionError as exc:
            problems = list(exc.problems)
        else:
            messages.success(
                request,
                _("Version %(number)s of “%(title)s” is published. New applications use it.")
                % {"number": version.number, "title": version.title},
            )
            return HttpResponseRedirect(_detail_url(definition))
    current = definition.published_version()
    context = {
        "definition": definition,
        "version": version,
        "current": current,
        "problems": problems,
        "address": reverse("forms:start", args=[definition.slug]),
    }
    return render(request, "forms/staff/publish.html", context, status=400 if problems else 200)

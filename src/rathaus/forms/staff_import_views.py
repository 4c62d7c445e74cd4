"""Staff pages that add forms: create one from a starter definition, or import an XDatenfelder
file as a new form or a new version, and the report of an import. Every change goes through
``forms.services``, which validates and audits it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.catalog.staff_access import acting_user
from rathaus.core.bounds import parse_id
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.forms import services
from rathaus.forms.definitions import one_step_definition
from rathaus.forms.engine import DefinitionError
from rathaus.forms.models import FormDefinition
from rathaus.forms.staff_access import (
    changing_access,
    list_url,
    may_change,
    version_of,
    version_url,
)
from rathaus.forms.staff_forms import (
    DefinitionCreateForm,
    ImportForm,
)
from rathaus.forms.staff_preview import findings_of, spec_or_none
from rathaus.forms.xdatenfelder import ConvertedForm, slug_for

SESSION_IMPORT = "rathaus_forms_import"
SLUG_MAX = 80
MAX_PROBLEMS_SHOWN = 10


def starter_definition() -> tuple[dict[str, Any], dict[str, Any]]:
    """The smallest useful definition: one step with one text question."""
    return one_step_definition(
        "angaben",
        _("Your details"),
        {"anliegen": {"type": "string", "minLength": 1, "maxLength": 200}},
        [{"field": "anliegen", "widget": "text", "label": _("Your request")}],
        required=["anliegen"],
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def form_create(request: HttpRequest) -> HttpResponse:
    access = changing_access(request)
    if isinstance(access, HttpResponse):
        return access
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
            actor=acting_user(request),
        )
        messages.success(
            request,
            _("The form “%(title)s” was created. Now describe its questions.")
            % {"title": version.title},
        )
        return HttpResponseRedirect(version_url(version))
    context = {"access": access, "form": form, "list_url": list_url(access.authority)}
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
    access = changing_access(request)
    if isinstance(access, HttpResponse):
        return access
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, authority=access.authority)
    else:
        initial = {}
        wanted = parse_id(request.GET.get("formular"))
        if wanted is not None:
            initial["definition"] = wanted
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
                    actor=acting_user(request),
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
                    actor=acting_user(request),
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
    context = {"access": access, "form": form, "list_url": list_url(access.authority)}
    return render(request, "forms/staff/import.html", context, status=400 if form.errors else 200)


@never_cache
@staff_required
@require_safe
def import_report(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    definition, version, access = version_of(request, pk, number)
    stored = request.session.get(SESSION_IMPORT) or {}
    from_session = stored.get("version") == version.pk
    spec = spec_or_none(version)
    context = {
        "definition": definition,
        "version": version,
        "may_change": may_change(access),
        "warnings": stored.get("warnings", []) if from_session else [],
        "warnings_known": from_session,
        "file_name": stored.get("file", "") if from_session else "",
        **findings_of(version),
        "step_count": len(spec.steps) if spec else 0,
        "question_count": len(spec.field_templates) if spec else 0,
        "list_url": list_url(definition.authority),
    }
    return render(request, "forms/staff/import_report.html", context)

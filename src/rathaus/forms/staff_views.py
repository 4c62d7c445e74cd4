"""Staff pages for online forms at /verwaltung/formulare/: the list, one form (retire, new
version) and one version (edit, preview, publish). Creating and importing forms is in
``staff_import_views``; who may do what in ``staff_access``. Every change goes through
``forms.services``, which validates and audits it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.catalog.staff_access import acting_user, list_context
from rathaus.core.staff_views import staff_required
from rathaus.forms import services
from rathaus.forms.engine import DefinitionError
from rathaus.forms.models import Draft, FormVersion
from rathaus.forms.staff_access import (
    access_or_refusal,
    definition_of,
    detail_url,
    draft_refusal,
    list_url,
    may_change,
    no_role,
    refused,
    staff_definitions,
    version_of,
    version_url,
)
from rathaus.forms.staff_forms import (
    VersionForm,
    pretty_json,
)
from rathaus.forms.staff_preview import (
    editor_notes_of,
    findings_of,
    no_questions_of,
    notes_of,
    posted_preview,
    rule_report,
    stored_preview,
)


@never_cache
@staff_required
@require_safe
def form_list(request: HttpRequest) -> HttpResponse:
    found = access_or_refusal(request)
    if isinstance(found, HttpResponse):
        return found
    access, accesses = found
    context = {
        **list_context(access, accesses),
        "may_change": may_change(access),
        "definitions": list(staff_definitions(access.authority)),
    }
    return render(request, "forms/staff/list.html", context)


# --- one form ------------------------------------------------------------------------------------


@never_cache
@staff_required
@require_safe
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    definition, access = definition_of(request, pk)
    versions = list(
        definition.versions.select_related("published_by")
        .annotate(submission_count=Count("submissions"))
        .order_by("-number")
    )
    published = next((v for v in versions if v.status == FormVersion.Status.PUBLISHED), None)
    for version in versions:
        version.no_questions = no_questions_of(version)  # type: ignore[attr-defined]
    context = {
        "definition": definition,
        "versions": versions,
        "published": published,
        "latest": versions[0] if versions else None,
        "submission_count": sum(version.submission_count for version in versions),
        "may_change": may_change(access),
        "list_url": list_url(definition.authority),
        "address": reverse("forms:start", args=[definition.slug]),
    }
    shown = published or context["latest"]
    if shown is not None:
        # the FIM rules the engine does not check, where staff look first (ADR 0033)
        context["rules_version"] = shown
        context["rule_report"] = rule_report(shown.layout)
    return render(request, "forms/staff/detail.html", context)


@never_cache
@staff_required
@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    definition, access = definition_of(request, pk)
    if not may_change(access):
        return no_role(request, definition.authority, detail_url(definition))
    latest = definition.versions.order_by("-number").first()
    if latest is None:
        raise Http404("a form without versions")
    try:
        version = services.new_version(
            definition, schema=latest.schema, layout=latest.layout, actor=acting_user(request)
        )
    except DefinitionError as exc:
        messages.error(
            request,
            _("No new version was created: %(problems)s") % {"problems": " ".join(exc.problems)},
        )
        return HttpResponseRedirect(detail_url(definition))
    messages.success(
        request,
        _("Version %(number)s was created as a copy of version %(previous)s.")
        % {"number": version.number, "previous": latest.number},
    )
    return HttpResponseRedirect(version_url(version))


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def form_retire(request: HttpRequest, pk: int) -> HttpResponse:
    definition, access = definition_of(request, pk)
    if not may_change(access):
        return no_role(request, definition.authority, detail_url(definition))
    if definition.retired_at is not None:
        messages.info(request, _("The form was already retired."))
        return HttpResponseRedirect(detail_url(definition))
    if request.method == "POST":
        services.retire(definition, actor=acting_user(request))
        messages.success(
            request,
            _("The form “%(title)s” was retired. It accepts no new applications.")
            % {"title": definition.title},
        )
        return HttpResponseRedirect(detail_url(definition))
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
    definition, version, access = version_of(request, pk, number)
    editable = version.status == FormVersion.Status.DRAFT and may_change(access)
    if request.method == "POST":
        refusal = draft_refusal(
            request,
            access,
            version,
            _(
                "Version %(number)s is %(status)s and can no longer be changed, so that "
                "applications made with it stay as they were. Create a new version to "
                "make changes."
            ),
        )
        if refusal is not None:
            return refusal
    if not editable:
        context = {
            "definition": definition,
            "version": version,
            "may_change": may_change(access),
            "schema_json": pretty_json(version.schema),
            "layout_json": pretty_json(version.layout),
            "fee_json": pretty_json(version.fee) if version.fee else "",
            "notes": notes_of(version),
            "rule_report": rule_report(version.layout),
            "editor_notes": editor_notes_of(version),
            "preview": stored_preview(version),
            "list_url": list_url(definition.authority),
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
        preview = posted_preview(request.POST)
    elif action == "save":
        if form.is_valid():
            try:
                services.update_version(
                    version, actor=acting_user(request), **form.version_values()
                )
            except DefinitionError as exc:
                for problem in exc.problems:
                    form.add_error("layout", problem)
            except ValueError:  # published by someone else in the meantime
                return refused(
                    request,
                    _("Version %(number)s was published in the meantime and was not changed.")
                    % {"number": version.number},
                    status=409,
                    back_url=version_url(version),
                )
            else:
                messages.success(
                    request, _("Version %(number)s was saved.") % {"number": version.number}
                )
                return HttpResponseRedirect(version_url(version))
        status = 400
        preview = posted_preview(request.POST)
    else:
        preview = stored_preview(version)
    context = {
        "definition": definition,
        "version": version,
        "form": form,
        "show_summary": action == "save",
        "preview": preview,
        **findings_of(version),
        "may_change": True,
        "list_url": list_url(definition.authority),
    }
    return render(request, "forms/staff/version_edit.html", context, status=status)


@never_cache
@staff_required
@require_POST
def version_code_lists(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Accept (or no longer accept) free text for questions whose code list is missing."""
    _definition, version, access = version_of(request, pk, number)
    refusal = draft_refusal(
        request,
        access,
        version,
        _("Version %(number)s is %(status)s and can no longer be changed."),
    )
    if refusal is not None:
        return refusal
    accept = request.POST.get("free_text") == "yes"
    services.accept_free_text(version, accept=accept, actor=acting_user(request))
    if accept:
        messages.success(
            request,
            _(
                "Questions without their code list are asked as free text; the version can be "
                "published."
            ),
        )
    else:
        messages.success(
            request,
            _("Free text is no longer accepted; the version waits for its code lists."),
        )
    return HttpResponseRedirect(version_url(version))


@never_cache
@staff_required
@require_POST
def version_preview(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The preview region for the posted schema and layout (htmx swaps it in)."""
    version_of(request, pk, number)
    context = {"preview": posted_preview(request.POST)}
    return render(request, "forms/staff/_preview.html", context)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    definition, version, access = version_of(request, pk, number)
    refusal = draft_refusal(
        request,
        access,
        version,
        _("Version %(number)s is %(status)s; only a version in preparation can be published."),
        back_url=detail_url(definition),
    )
    if refusal is not None:
        return refusal
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.publish(version, actor=acting_user(request))
        except DefinitionError as exc:
            problems = list(exc.problems)
        else:
            messages.success(
                request,
                _("Version %(number)s of “%(title)s” is published. New applications use it.")
                % {"number": version.number, "title": version.title},
            )
            return HttpResponseRedirect(detail_url(definition))
    current = definition.published_version()
    context = {
        "definition": definition,
        "version": version,
        "current": current,
        "problems": problems,
        "address": reverse("forms:start", args=[definition.slug]),
    }
    return render(request, "forms/staff/publish.html", context, status=400 if problems else 200)

"""The citizen's way through an online application: start, steps, save, check, submit, receipt."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.accounts import trust
from rathaus.accounts.models import Account
from rathaus.core import files
from rathaus.core.redirects import to_login
from rathaus.core.refusals import record_refusal
from rathaus.core.tenancy import current_authority
from rathaus.forms import area, fees, receipts, services
from rathaus.forms.engine import FormSpec
from rathaus.forms.engine.extensions import scripts_of
from rathaus.forms.models import (
    Draft,
    FormDefinition,
    FormVersion,
    Submission,
    TrustRequirement,
    Upload,
)
from rathaus.forms.rendering import FileInfo, StepBinder, summary
from rathaus.forms.selectors import definition_by_slug, spec_for

logger = logging.getLogger(__name__)


def _account(request: HttpRequest) -> Account | None:
    if request.user.is_authenticated:
        account = getattr(request.user, "account", None)
        return account if isinstance(account, Account) else None
    return None


def _definition(request: HttpRequest, slug: str) -> FormDefinition:
    definition = definition_by_slug(current_authority(request), slug)
    if definition is None:
        raise Http404("no such form here")
    return definition


def _login_needed(request: HttpRequest, version: FormVersion) -> HttpResponseBase | None:
    """A redirect to the login or the trust-level page when the login is not good enough."""
    if version.min_trust_level == TrustRequirement.NONE:
        return None
    if _account(request) is None:
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
    if trust.satisfies(request, version.min_trust_level):
        return None
    offer = version.definition.offer
    return trust.required_page(
        request,
        version.min_trust_level,
        service=offer.service if offer else None,
        form_title=version.title,
    )


def trust_level_used(request: HttpRequest) -> str:
    level = trust.current_level(request)
    return str(level.value) if level is not None else TrustRequirement.NONE.value


def _draft(request: HttpRequest, slug: str, draft_id: Any) -> Draft:
    draft = get_object_or_404(
        Draft.objects.select_related("version__definition__authority", "account"),
        pk=draft_id,
        version__definition__slug=slug,
        version__definition__authority=current_authority(request),
    )
    if not services.may_open(request, draft):
        raise Http404("not this browser's draft")
    return draft


def _open_draft(request: HttpRequest, slug: str, draft_id: Any) -> Draft | HttpResponseBase:
    """The draft to go on filling in; once it is submitted, the way to its receipt, and without
    the login its form needs, the way to the login."""
    draft = _draft(request, slug, draft_id)
    if draft.submitted_at is not None:
        return _to_receipt(request, draft)
    denied = _login_needed(request, draft.version)
    return denied if denied is not None else draft


def _visible_steps(spec: FormSpec, data: Mapping[str, Any]) -> list[int]:
    """Steps with at least one element that is shown for the current answers."""
    visible = []
    for index in range(len(spec.steps)):
        if StepBinder(spec, index, data).bind():
            visible.append(index)
    return visible


def _files(draft: Draft, slug: str) -> tuple[dict[str, list[FileInfo]], dict[str, FileInfo]]:
    by_field: dict[str, list[FileInfo]] = {}
    by_id: dict[str, FileInfo] = {}
    for upload in draft.uploads.all():
        info = FileInfo(
            id=upload.pk.hex,
            name=upload.original_name,
            size=upload.size,
            url=reverse("forms:upload", args=[slug, draft.pk, upload.pk]),
        )
        by_field.setdefault(upload.field, []).append(info)
        by_id[info.id] = info
    return by_field, by_id


# --- start ---------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponseBase:
    definition = _definition(request, slug)
    version = definition.published_version()
    if version is None:
        raise Http404("form not published")
    retired = definition.retired_at is not None
    denied = None if retired else _login_needed(request, version)
    if denied is not None:
        return denied
    account = _account(request)
    spec = spec_for(version)
    if request.method == "POST" and not retired:
        draft = services.start_draft(
            version,
            request=request,
            account=account,
            prefill=request.POST.get("prefill") == "yes",
        )
        first = _visible_steps(spec, draft.data)
        return redirect("forms:step", slug, draft.pk, spec.steps[first[0] if first else 0].id)
    open_drafts = []
    if account is not None:
        open_drafts = list(
            Draft.objects.filter(
                account=account, version__definition=definition, submitted_at__isnull=True
            ).order_by("-updated_at")[:5]
        )
    else:
        known = request.session.get(services.SESSION_DRAFTS, [])
        open_drafts = list(
            Draft.objects.filter(
                pk__in=known, version__definition=definition, submitted_at__isnull=True
            ).order_by("-updated_at")[:5]
        )
    offer = definition.offer
    return render(
        request,
        "forms/start.html",
        {
            "definition": definition,
            "version": version,
            "spec": spec,
            "offer": offer,
            "retired": retired,
            "account": account,
            "prefill_rows": services.prefill_preview(spec, account) if account else [],
            "open_drafts": open_drafts,
            "step_titles": [step.title for step in spec.steps],
            "login_url": reverse("accounts:login") + "?" + urlencode({"next": request.path}),
        },
    )


# --- steps ---------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str, draft_id: Any, step_id: str) -> HttpResponseBase:
    draft = _open_draft(request, slug, draft_id)
    if isinstance(draft, HttpResponseBase):
        return draft
    version = draft.version
    spec = spec_for(version)
    index = spec.step_index(step_id)
    if index is None:
        raise Http404("no such step")
    data: dict[str, Any] = draft.data if isinstance(draft.data, dict) else {}
    errors: dict[str, list[str]] = {}
    upload_errors: dict[str, list[str]] = {}
    retry_after: int | None = None
    if request.method == "POST":
        # The typed answers are stored first, valid or not, so that nothing is lost.
        services.save_answers(draft, spec.read_step(index, request.POST, data), index)
        upload_errors, retry_after = _handle_files(request, draft, spec, index)
        data = draft.data
        repeat = spec.repeat_action(request.POST, data)
        if repeat:
            services.save_answers(draft, spec.prune(data), index)
        action = request.POST.get("action", "")
        if upload_errors:
            pass  # shown with the step below
        elif repeat or request.POST.get("remove_file") or action == "upload":
            anchor = request.POST.get("_add") or request.POST.get("_remove") or ""
            target = reverse("forms:step", args=[slug, draft.pk, step_id])
            return redirect(target + (f"#f-{anchor.replace('.', '-')}" if anchor else ""))
        elif action == "save":
            return redirect("forms:saved", slug, draft.pk)
        elif action == "back":
            return redirect(_neighbour(spec, draft, slug, index, -1))
        else:
            errors = area.errors(version, spec, data, step=index)
            if not errors:
                return redirect(_neighbour(spec, draft, slug, index, +1))
    files_by_field, _by_id = _files(draft, slug)
    all_errors = {**errors}
    for path, messages in upload_errors.items():
        all_errors.setdefault(path, []).extend(messages)
    bound = StepBinder(spec, index, data, all_errors, files_by_field).bind()
    visible = _visible_steps(spec, data)
    position = visible.index(index) + 1 if index in visible else 1
    status = 503 if retry_after else 422 if all_errors else 200
    response = render(
        request,
        "forms/step.html",
        {
            "draft": draft,
            "version": version,
            "slug": slug,
            "step": spec.steps[index],
            "elements": bound,
            "form_scripts": [
                {"id": script_id, "script": script, "options": script.options()}
                for script_id, script in scripts_of(version.layout)
            ],
            "error_list": _error_list(all_errors, spec),
            "position": position,
            "total": len(visible),
            "has_files": any(
                element.widget == "file"
                for path, element in spec.field_templates.items()
                if spec.step_of_template(path) == index
            ),
            "first": position == 1,
            "rules_json": json.dumps(spec.browser_rules(index), ensure_ascii=False),
            "account": _account(request),
        },
        status=status,
    )
    if retry_after:  # the scanner is down: the answers are saved, only the file must wait
        response["Retry-After"] = str(retry_after)
    return response


def _neighbour(spec: FormSpec, draft: Draft, slug: str, index: int, direction: int) -> str:
    visible = _visible_steps(spec, draft.data)
    later = [i for i in visible if (i > index if direction > 0 else i < index)]
    if not later:
        if direction > 0:
            return reverse("forms:check", args=[slug, draft.pk])
        return reverse("forms:start", args=[slug])
    target = later[0] if direction > 0 else later[-1]
    return reverse("forms:step", args=[slug, draft.pk, spec.steps[target].id])


def _error_list(errors: Mapping[str, list[str]], spec: FormSpec) -> list[dict[str, str]]:
    items = []
    for path, messages in errors.items():
        template = ".".join("*" if part.isdigit() else part for part in path.split("."))
        element = spec.field_templates.get(template) or spec.group_templates.get(template)
        label = element.label if element is not None else _("Form")
        anchor = "f-" + path.replace(".", "-") if path else "main"
        if element is not None and element.widget in {"radio", "checkboxes", "yesno"}:
            anchor += "-0" if element.widget != "yesno" else "-yes"
        if element is not None and element.widget == "address":
            anchor += "-street"
        for message in messages:
            items.append({"label": label, "message": message, "anchor": anchor})
    return items


def _handle_files(
    request: HttpRequest, draft: Draft, spec: FormSpec, index: int
) -> tuple[dict[str, list[str]], int | None]:
    """Check and store the files posted for this step; remove files the citizen removed.

    Returns the messages per field and, when the virus scanner could not be reached, the
    seconds after which to try again (the answer is then 503 with ``Retry-After``).
    """
    from rathaus.core.files import UploadRejected, UploadRules, check_and_store

    removed = request.POST.get("remove_file", "")
    if removed:
        services.remove_upload(draft, removed)
    errors: dict[str, list[str]] = {}
    retry_after: int | None = None
    for path in request.FILES:
        template = ".".join("*" if part.isdigit() else part for part in path.split("."))
        element = spec.field_templates.get(template)
        if element is None or element.widget != "file" or spec.step_of_template(template) != index:
            continue
        maximum = element.schema.get("maxItems")
        for uploaded in request.FILES.getlist(path):
            present = draft.uploads.filter(field=path).count()
            if isinstance(maximum, int) and present >= maximum:
                errors.setdefault(path, []).append(
                    _("You can upload at most %(limit)s files here.") % {"limit": maximum}
                )
                break
            try:
                stored = check_and_store(
                    uploaded, UploadRules(accept=element.accept, max_bytes=element.max_size)
                )
            except UploadRejected as rejected:
                errors.setdefault(path, []).append(
                    _("“%(name)s”: %(reason)s")
                    % {"name": uploaded.name, "reason": rejected.message}
                )
                retry_after = rejected.retry_after or retry_after
                continue
            services.attach_upload(draft, path, stored)
    return errors, retry_after


@never_cache
@require_safe
def upload(request: HttpRequest, slug: str, draft_id: Any, upload_id: Any) -> HttpResponseBase:
    draft = _draft(request, slug, draft_id)
    stored = get_object_or_404(Upload.objects.select_related("file"), pk=upload_id, draft=draft)
    return files.response(
        stored.file, filename=stored.original_name, content_type=stored.content_type
    )


# --- save, resume, discard -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def saved(request: HttpRequest, slug: str, draft_id: Any) -> HttpResponseBase:
    draft = _draft(request, slug, draft_id)
    if draft.submitted_at is not None:
        return _to_receipt(request, draft)
    error = ""
    sent_to = ""
    email = ""
    if request.method == "POST":
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        email = request.POST.get("email", "").strip()[:254]
        try:
            validate_email(email)
        except ValidationError:
            error = _("Please enter an e-mail address such as name@example.com.")
        else:
            services.send_resume_link(draft, email=email, request=request)
            sent_to = email
    spec = spec_for(draft.version)
    visible = _visible_steps(spec, draft.data)
    current = draft.step if draft.step in visible else (visible[0] if visible else 0)
    return render(
        request,
        "forms/saved.html",
        {
            "draft": draft,
            "slug": slug,
            "version": draft.version,
            "account": _account(request),
            "error": error,
            "email": email,
            "sent_to": sent_to,
            "continue_url": reverse("forms:step", args=[slug, draft.pk, spec.steps[current].id]),
        },
        status=422 if error else 200,
    )


@never_cache
@require_safe
def resume(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        draft = services.resume(token, request)
    except services.ResumeLinkInvalid as invalid:
        return render(request, "forms/resume_failed.html", {"reason": invalid.reason}, status=410
                      if invalid.reason in {"expired", "submitted"} else 404)  # fmt: skip
    spec = spec_for(draft.version)
    visible = _visible_steps(spec, draft.data)
    current = draft.step if draft.step in visible else (visible[0] if visible else 0)
    return redirect("forms:step", draft.version.definition.slug, draft.pk, spec.steps[current].id)


@require_POST
def discard(request: HttpRequest, slug: str, draft_id: Any) -> HttpResponseBase:
    draft = _draft(request, slug, draft_id)
    services.discard(draft)
    return redirect("forms:start", slug)


# --- check and submit ----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str, draft_id: Any) -> HttpResponseBase:
    draft = _open_draft(request, slug, draft_id)
    if isinstance(draft, HttpResponseBase):
        return draft
    version = draft.version
    spec = spec_for(version)
    data = spec.prune(dict(draft.data) if isinstance(draft.data, dict) else {})
    errors = area.errors(version, spec, data)
    if request.method == "POST" and not errors:
        try:
            result = services.submit(
                draft,
                trust_level=trust_level_used(request),
                portal_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except services.NotSubmittable as problem:
            errors = problem.errors
        else:
            services.remember(request, services.SESSION_SUBMISSIONS, str(result.submission.pk))
            return redirect("forms:receipt", result.submission.pk)
    _by_field, by_id = _files(draft, slug)
    steps = summary(spec, data, by_id)
    step_errors: dict[int, int] = {}
    for path in errors:
        index = spec.step_of_template(".".join("*" if p.isdigit() else p for p in path.split(".")))
        if index is not None:
            step_errors[index] = step_errors.get(index, 0) + len(errors[path])
    visible = _visible_steps(spec, data)
    return render(
        request,
        "forms/check.html",
        {
            "draft": draft,
            "version": version,
            "slug": slug,
            "steps": [s for s in steps if s.index in visible],
            "step_errors": step_errors,
            "has_errors": bool(errors),
            "error_steps": [
                (spec.steps[index], count) for index, count in sorted(step_errors.items())
            ],
            "account": _account(request),
            "fee": fees.compute(version, data, version.definition.authority),
        },
        status=422 if errors and request.method == "POST" else 200,
    )


def _to_receipt(request: HttpRequest, draft: Draft) -> HttpResponseBase:
    submission = Submission.objects.filter(draft_id=draft.pk).first()
    if submission is None:
        raise Http404("submitted draft without submission")
    services.remember(request, services.SESSION_SUBMISSIONS, str(submission.pk))
    return redirect("forms:receipt", submission.pk)


def _submission(request: HttpRequest, submission_id: Any) -> Submission | HttpResponseRedirect:
    """The applicant's submission; for a logged-out holder of an account, the way to the login."""
    submission = get_object_or_404(
        Submission.objects.select_related("authority", "form_version__definition", "offer"),
        pk=submission_id,
    )
    account = _account(request)
    own = account is not None and submission.account_id == account.pk
    if not own and str(submission.pk) not in request.session.get(services.SESSION_SUBMISSIONS, []):
        if submission.account_id is not None and not request.user.is_authenticated:
            return to_login(request)
        record_refusal(request, Submission._meta.label, str(submission.pk))
        raise Http404("not this applicant's submission")
    return submission


def _own_submission(
    view: Callable[[HttpRequest, Submission], HttpResponse],
) -> Callable[[HttpRequest, Any], HttpResponse]:
    """A page of the applicant's submission, which the view gets in place of its id."""

    @wraps(view)
    def with_submission(request: HttpRequest, submission_id: Any) -> HttpResponse:
        submission = _submission(request, submission_id)
        if isinstance(submission, HttpResponseRedirect):
            return submission
        return view(request, submission)

    return with_submission


@never_cache
@require_safe
@_own_submission
def receipt(request: HttpRequest, submission: Submission) -> HttpResponse:
    context = receipts.receipt_context(submission)
    context["account"] = _account(request)
    context["payment_link"] = fees.payment_link(submission)
    return render(request, "forms/receipt.html", context)


@never_cache
@require_safe
@_own_submission
def receipt_pdf(request: HttpRequest, submission: Submission) -> HttpResponse:
    response = HttpResponse(receipts.receipt_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{receipts.receipt_filename(submission)}"'
    )
    return response

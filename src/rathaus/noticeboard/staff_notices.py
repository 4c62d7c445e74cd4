"""Staff pages of official notices (``/verwaltung/bekanntmachungen/``, ADR 0067).

Who may use them: ``keepers`` — superusers, members with the role "Administration" or
"Bekanntmachungen" in a unit of the authority, or holders of ``noticeboard.change_notice``.
Others get a 403 in the staff frame; a notice of an authority the user does not keep is a 404.

Drafts and scheduled notices can be edited; saving a change to a scheduled notice makes it a
draft again (it must be scheduled anew). A notice that was put up is never edited: the form
refuses and says to withdraw it and publish a correction. Status changes go through
:mod:`rathaus.noticeboard.publication`; every change is audited (``noticeboard.notice.*``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core import audit
from rathaus.core.files import (
    JPEG,
    PDF,
    PNG,
    UploadRejected,
    UploadRules,
    check_and_store,
    file_limit,
    size_in_words,
)
from rathaus.core.files import release as release_files
from rathaus.core.files import response as file_response
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.noticeboard import keepers, proof, publication
from rathaus.noticeboard.models import Notice, NoticeAttachment
from rathaus.noticeboard.staff_notice_forms import (
    ATTACHMENT_MAX_BYTES,
    FILTERS,
    AttachmentForm,
    NoticeForm,
    WithdrawForm,
)


def _published_refusal() -> str:
    return _(
        "This notice was published and cannot be changed. Withdraw it and publish a correction "
        "as a new notice."
    )


def _authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = keepers.kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("keeps the official notices of no authority")
    return found


def _chosen(request: HttpRequest, authorities: QuerySet[Authority]) -> Authority:
    slug = request.GET.get("behoerde", "")[:100]
    chosen = authorities.filter(slug=slug).first() if slug else None
    return chosen or authorities.first()  # type: ignore[return-value]


def _notice(request: HttpRequest, pk: int) -> Notice:
    notice = (
        Notice.objects.select_related("authority")
        .filter(pk=pk, authority__in=_authorities(request))
        .first()
    )
    if notice is None:
        raise Http404("no notice of the user's authorities")
    return notice


def _url(notice: Notice) -> str:
    return reverse("noticeboard_staff:notice", args=[notice.pk])


@never_cache
@require_safe
@staff_required
def notice_list(request: HttpRequest) -> HttpResponse:
    authorities = _authorities(request)
    authority = _chosen(request, authorities)
    chosen = request.GET.get("status", "")
    notices = Notice.objects.filter(authority=authority)
    counts = dict(notices.values_list("status").annotate(n=Count("id")).order_by())
    if chosen in FILTERS:
        notices = notices.filter(status=FILTERS[chosen])
    filters = [
        {"slug": slug, "label": status.label, "count": counts.get(status.value, 0)}
        for slug, status in FILTERS.items()
    ]
    context = {
        "authority": authority, "authorities": authorities, "filters": filters,
        "chosen": chosen if chosen in FILTERS else "", "total": sum(counts.values()),
        "notices": notices.order_by("-display_from", "-id")[:500],
    }  # fmt: skip
    return render(request, "noticeboard/staff/list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def notice_add(request: HttpRequest) -> HttpResponseBase:
    authorities = _authorities(request)
    authority = _chosen(request, authorities)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            notice = form.save(commit=False)
            notice.authority = authority
            notice.created_by = request.user  # type: ignore[assignment]
            notice.save()
            audit.record("noticeboard.notice.created", actor=request.user, authority=authority,
                         obj=notice)  # fmt: skip
        messages.success(request, _("The draft “%(title)s” was saved.") % {"title": notice.title})
        return redirect(_url(notice))
    context = {"form": form, "authority": authority, "notice": None}
    return render(request, "noticeboard/staff/edit.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    if request.method == "POST" and notice.status not in publication.EDITABLE:
        messages.error(request, _published_refusal())
        return _edit_page(request, notice, NoticeForm(instance=notice), AttachmentForm(), 409)
    form = NoticeForm(request.POST or None, instance=notice)
    if request.method == "POST" and form.is_valid():
        if form.has_changed() and not _save(request, notice, form):
            messages.error(request, _published_refusal())
        return redirect(_url(notice))
    return _edit_page(request, notice, form, AttachmentForm(), 422 if form.is_bound else 200)


def _save(request: HttpRequest, notice: Notice, form: NoticeForm) -> bool:
    """Save the form's fields; False when the worker put the notice up in the meantime."""
    with transaction.atomic():
        status = Notice.objects.select_for_update().filter(pk=notice.pk).values_list(
            "status", flat=True
        ).get()  # fmt: skip
        if status not in publication.EDITABLE:
            return False
        if status == Notice.Status.SCHEDULED:
            publication.unschedule(notice, request.user)
        changed = form.save(commit=False)
        changed.save(update_fields=[*NoticeForm.Meta.fields, "updated_at"])
        audit.record("noticeboard.notice.changed", actor=request.user, authority=notice.authority,
                     obj=notice, details={"fields": sorted(form.changed_data)})  # fmt: skip
    messages.success(request, _("The notice was saved."))
    if status == Notice.Status.SCHEDULED:
        messages.warning(request, _("The notice is a draft again. Schedule it once more when "
                                    "it is ready."))  # fmt: skip
    return True


def _edit_page(
    request: HttpRequest, notice: Notice, form: NoticeForm, attachment_form: AttachmentForm,
    status: int,
) -> HttpResponse:  # fmt: skip
    editable = notice.status in publication.EDITABLE
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "form": form,
        "authority": notice.authority,
        "notice": notice,
        "editable": editable,
        "attachments": list(notice.attachments.select_related("file")),
        "attachment_form": attachment_form,
        "attachment_limit": size_in_words(file_limit(ATTACHMENT_MAX_BYTES)),
        "problems": publication.problems(notice) if notice.status == Notice.Status.DRAFT else [],
        "proof": proof.proof_of(notice),
        "proof_available": proof.available(notice),
        "refusal": "" if editable else _published_refusal(),
    }
    return render(request, "noticeboard/staff/edit.html", context, status=status)


@require_POST
@staff_required
def notice_schedule(request: HttpRequest, pk: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    try:
        notice = publication.schedule(notice, request.user)
    except publication.PublicationRefused as refused:
        messages.error(request, _("The notice cannot be scheduled: %(reasons)s")
                       % {"reasons": " ".join(refused.reasons)})  # fmt: skip
        return redirect(_url(notice))
    if notice.status == Notice.Status.ON_DISPLAY:
        messages.success(request, _("The notice is on display now."))
    else:
        messages.success(request, _("The notice is scheduled. It is put up automatically at the "
                                    "start of its period."))  # fmt: skip
    return redirect(_url(notice))


@require_POST
@staff_required
def notice_unschedule(request: HttpRequest, pk: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    try:
        publication.unschedule(notice, request.user)
    except publication.PublicationRefused as refused:
        messages.error(request, " ".join(refused.reasons))
    else:
        messages.success(request, _("The notice is a draft again."))
    return redirect(_url(notice))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    if notice.status != Notice.Status.ON_DISPLAY:
        messages.error(request, _("Only a notice on display can be withdrawn."))
        return redirect(_url(notice))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publication.withdraw(notice, request.user, form.cleaned_data["reason"])
        except publication.PublicationRefused as refused:
            messages.error(request, " ".join(refused.reasons))
        else:
            messages.success(request, _("The notice was withdrawn and is no longer on display."))
        return redirect(_url(notice))
    return render(request, "noticeboard/staff/withdraw.html", {"notice": notice, "form": form},
                  status=422 if form.is_bound else 200)  # fmt: skip


@require_safe
@staff_required
def notice_proof(request: HttpRequest, pk: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    if not proof.available(notice):
        raise Http404("the proof of display is complete only after the display")
    content = proof.render(notice)
    audit.record("noticeboard.notice.proof_downloaded", actor=request.user,
                 authority=notice.authority, obj=notice)  # fmt: skip
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{proof.filename(notice)}"'
    return response


def _refuse_if_published(request: HttpRequest, notice: Notice) -> HttpResponseBase | None:
    if notice.status in publication.EDITABLE:
        return None
    messages.error(request, _published_refusal())
    return redirect(_url(notice) + "#anlagen")


def _content_changed(request: HttpRequest, notice: Notice) -> None:
    """An attachment is part of the content: a scheduled notice goes back to draft."""
    notice.save(update_fields=["updated_at"])
    if notice.status == Notice.Status.SCHEDULED:
        publication.unschedule(notice, request.user)
        notice.status = Notice.Status.DRAFT
        messages.warning(request, _("The notice is a draft again. Schedule it once more when "
                                    "it is ready."))  # fmt: skip


@require_POST
@staff_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    if refused := _refuse_if_published(request, notice):
        return refused
    attachment_form = AttachmentForm(request.POST, request.FILES)
    if not attachment_form.is_valid():
        return _edit_page(request, notice, NoticeForm(instance=notice), attachment_form, 422)
    rules = UploadRules(accept=(PDF, PNG, JPEG), max_bytes=file_limit(ATTACHMENT_MAX_BYTES))
    try:
        stored = check_and_store(attachment_form.cleaned_data["file"], rules)
    except UploadRejected as rejected:
        attachment_form.add_error("file", rejected.message)
        response = _edit_page(request, notice, NoticeForm(instance=notice), attachment_form,
                              rejected.status)  # fmt: skip
        if rejected.retry_after:
            response["Retry-After"] = str(rejected.retry_after)
        return response
    with transaction.atomic():
        attachment = NoticeAttachment.objects.create(
            notice=notice, title=attachment_form.cleaned_data["title"], file=stored.file,
            position=_next_position(notice),
        )  # fmt: skip
        audit.record(
            "noticeboard.notice.attachment_added", actor=request.user,
            authority=notice.authority, obj=notice,
            details={"attachment": attachment.pk, "sha256": stored.file.sha256},
        )  # fmt: skip
        _content_changed(request, notice)
    messages.success(request, _("The attachment “%(title)s” was added.")
                     % {"title": attachment.title})  # fmt: skip
    return redirect(_url(notice) + "#anlagen")


def _next_position(notice: Notice) -> int:
    last = notice.attachments.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _attachment(notice: Notice, attachment: int) -> NoticeAttachment:
    found = notice.attachments.select_related("file").filter(pk=attachment).first()
    if found is None:
        raise Http404("no such attachment of this notice")
    return found


@require_safe
@staff_required
def attachment_download(request: HttpRequest, pk: int, attachment: int) -> HttpResponseBase:
    """Staff open an attachment of any notice they keep, drafts included."""
    found = _attachment(_notice(request, pk), attachment)
    return file_response(found.file)


@require_POST
@staff_required
def attachment_move(request: HttpRequest, pk: int, attachment: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    if refused := _refuse_if_published(request, notice):
        return refused
    moved = _attachment(notice, attachment)
    ordered = list(notice.attachments.order_by("position", "id"))
    index = ordered.index(moved)
    target = index - 1 if request.POST.get("richtung") == "hoch" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        with transaction.atomic():
            for position, item in enumerate(ordered):
                if item.position != position:
                    item.position = position
                    item.save(update_fields=["position"])
            audit.record("noticeboard.notice.attachment_moved", actor=request.user,
                         authority=notice.authority, obj=notice,
                         details={"attachment": moved.pk, "position": target})  # fmt: skip
            _content_changed(request, notice)
    return redirect(_url(notice) + "#anlagen")


@require_POST
@staff_required
def attachment_remove(request: HttpRequest, pk: int, attachment: int) -> HttpResponseBase:
    notice = _notice(request, pk)
    if refused := _refuse_if_published(request, notice):
        return refused
    found = _attachment(notice, attachment)
    stored = found.file_id
    with transaction.atomic():
        found.delete()
        audit.record("noticeboard.notice.attachment_removed", actor=request.user,
                     authority=notice.authority, obj=notice,
                     details={"title": found.title})  # fmt: skip
        _content_changed(request, notice)
        release_files([stored])
    messages.success(request, _("The attachment was removed."))
    return redirect(_url(notice) + "#anlagen")

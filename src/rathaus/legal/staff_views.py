"""Staff edit the legal texts of their authority: heads and administrators (ADR 0024)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import files
from rathaus.core.models import Authority, Membership, StoredFile
from rathaus.core.staff_views import staff_required
from rathaus.legal import services
from rathaus.legal.forms import LegalTextsForm


def _refused(request: HttpRequest) -> HttpResponse:
    message = _(
        "Only heads of office and administrators of the authority may change its legal pages. "
        "Please ask them."
    )
    return render(request, "legal/staff/forbidden.html", {"message": message}, status=403)


@never_cache
@require_safe
@staff_required
def authorities(request: HttpRequest) -> HttpResponse:
    editable = services.editable_authorities(request.user)
    if len(editable) == 1:
        return redirect("legal_staff:edit", editable[0].slug)
    if not editable:
        return _refused(request)
    return render(request, "legal/staff/list.html", {"authorities": editable})


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    authority = Authority.objects.filter(slug=slug).first()
    if authority is None:
        raise Http404("no such authority")
    if not services.may_edit(request.user, authority):
        member = (
            request.user.is_superuser
            or Membership.objects.filter(
                user_id=request.user.pk or 0, org_unit__authority=authority
            ).exists()
        )
        if not member:
            raise Http404("not an authority of the user")
        return _refused(request)
    texts = services.texts_for(authority)
    form = LegalTextsForm(request.POST or None, request.FILES or None, instance=texts)
    if request.method == "POST" and form.is_valid():
        stored = _store_files(form)
        if stored is not None:
            video, captions = stored
            services.save_texts(
                authority, form.text_values(), actor=request.user, video=video, captions=captions,
                remove_video=form.cleaned_data["remove_video"] and video is None,
                remove_captions=form.cleaned_data["remove_captions"] and captions is None,
            )  # fmt: skip
            messages.success(request, _("The legal pages were saved."))
            return redirect("legal_staff:edit", authority.slug)
    texts = services.texts_for(authority)
    context = {"authority": authority, "form": form, "texts": texts,
               "editable": services.editable_authorities(request.user)}  # fmt: skip
    return render(request, "legal/staff/edit.html", context, status=400 if form.errors else 200)


def _store_files(form: LegalTextsForm) -> tuple[StoredFile | None, StoredFile | None] | None:
    """Check and keep the uploaded video and captions; None (with the form's errors) if refused."""
    kept: dict[str, StoredFile | None] = {"video": None, "captions": None}
    rules = {"video": services.VIDEO_RULES, "captions": services.CAPTION_RULES}
    for name, upload_rules in rules.items():
        uploaded = form.cleaned_data.get(name)
        if uploaded is None:
            continue
        try:
            kept[name] = files.check_and_store(uploaded, upload_rules).file
        except files.UploadRejected as refused:
            form.add_error(name, refused.message)
    if form.errors:
        files.release([stored for stored in kept.values() if stored is not None])
        return None
    return kept["video"], kept["captions"]

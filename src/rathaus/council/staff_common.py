"""What the council office's pages share: who may keep which council, the council of an
authority (made on first use), the staff navigation entry, the upload of a file, and the
lookup, adding and soft deleting of a meeting or a paper."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core import audit
from rathaus.core.files import UploadRejected
from rathaus.core.models import Authority
from rathaus.council import files, keepers
from rathaus.council.models import Body, File
from rathaus.council.staff_forms import FileForm

M = TypeVar("M", bound=Model)


def ready() -> None:
    """Called by ``CouncilConfig.ready``: the staff entry "Gemeinderat", the staff download of
    council files, and the worker's filing of files in the e-file."""
    from rathaus.core import navigation, taskqueue
    from rathaus.core.files import access

    item = navigation.StaffNavItem(
        "council", _("Council"), "council_staff:meetings", 74, permitted=keepers.keeps
    )
    navigation.register_staff(item)
    access.register_owner("council.File.staff", may_download_as_keeper)
    taskqueue.register_reconciler("council.efile", files.reconcile)
    taskqueue.register_description(files.file_in_efile.module_path, files.describe)


def may_download_as_keeper(request: HttpRequest, stored: Any) -> bool:
    """The council office downloads every file of the councils it keeps (also deleted ones)."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    return File.objects.filter(
        stored=stored, body__authority__in=keepers.kept_authorities(user)
    ).exists()


def authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = keepers.kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("keeps the council information of no authority")
    return found


def chosen(request: HttpRequest, found: QuerySet[Authority]) -> Authority:
    slug = request.GET.get("behoerde", "")[:100]
    picked = found.filter(slug=slug).first() if slug else None
    return picked or found.first()  # type: ignore[return-value]


def town_name(authority: Authority) -> str:
    name = authority.name
    for prefix in ("Gemeinde ", "Stadt ", "Hansestadt ", "Markt "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def body_of(authority: Authority, user: Any = None) -> Body:
    """The council of the authority, made on first use as "Gemeinderat <town>"."""
    body = Body.objects.filter(authority=authority).first()
    if body is None:
        body, created = Body.objects.get_or_create(
            authority=authority, defaults={"name": f"Gemeinderat {town_name(authority)}"}
        )
        if created:
            audit.record("council.body.created", actor=user, authority=authority, obj=body)
    return body


def record(request: HttpRequest, action: str, obj: Any, **details: Any) -> None:
    body = obj if isinstance(obj, Body) else Body.objects.get(pk=obj.body_id)
    audit.record(f"council.{action}", actor=request.user, authority=body.authority, obj=obj,
                 details=details)  # fmt: skip


def store(
    request: HttpRequest, body: Body, form: FileForm, attach: Callable[[File], None],
    rerender: Callable[[FileForm, int], HttpResponse], existing: File | None = None,
) -> HttpResponse | File:  # fmt: skip
    """Check and keep the form's file and ``attach`` it (one transaction); with ``existing``
    (a second invitation, a corrected main file) that file gets the new content, which the
    e-file keeps as a new version. A refusal renders the page again with the reason on the
    file field and everything typed kept."""
    from django.db import transaction

    uploaded, name = form.cleaned_data["file"], form.cleaned_data["name"]
    try:
        with transaction.atomic():
            if existing is not None and not existing.deleted:
                file = files.replace_content(existing, uploaded, request.user)
                if name and name != file.name:
                    file.name = name[:300]
                    file.save(update_fields=["name"])
            else:
                file = files.store_upload(body, uploaded, name, request.user)
            attach(file)
    except UploadRejected as rejected:
        form.add_error("file", rejected.message)
        response = rerender(form, rejected.status)
        if rejected.retry_after:
            response["Retry-After"] = str(rejected.retry_after)
        return response
    return file


def retire_files(candidates: Iterable[File | None]) -> None:
    """After deleting their owner: mark deleted (soft, touching ``modified``) the files among
    ``candidates`` that no live meeting, paper or agenda item uses any more, so OParl lists
    them as deleted and serves them no longer."""
    from rathaus.council.oparl.visibility import in_use

    ids = {file.pk for file in candidates if file is not None}
    if ids:
        unused = File.objects.filter(pk__in=ids, deleted=False).exclude(in_use())
        unused.update(deleted=True, modified=timezone.now())


# --- meetings and papers: lookup, adding, soft deleting ------------------------------------------


def kept(request: HttpRequest, model: type[M], pk: int, *related: str) -> M:
    """A live meeting or paper of the user's councils; another council's, or a deleted one, is
    a 404."""
    found = (
        model._default_manager.select_related("body__authority", *related)
        .filter(pk=pk, deleted=False, body__authority__in=authorities(request))
        .first()
    )
    if found is None:
        raise Http404(f"no {model._meta.model_name} of the user's councils")
    return found


def add_page(
    request: HttpRequest, form_class: type[ModelForm[Any]], kind: str, template: str,
    done: tuple[str, Callable[[Any], str]], **extra: Any,
) -> HttpResponseBase:  # fmt: skip
    """The page that adds a meeting or a paper (``kind``) to the chosen council; ``done`` is the
    message and the address to go on to (the new object's page)."""
    authority = chosen(request, authorities(request))
    body = body_of(authority, request.user)
    form = form_class(request.POST or None, body=body)  # type: ignore[call-arg]
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save()
            record(request, f"{kind}.created", obj)
        message, url_of = done
        messages.success(request, message)
        return redirect(url_of(obj))
    context = {"form": form, "body": body, "authority": authority, kind: None, **extra}
    return render(request, template, context, status=422 if form.is_bound else 200)


def delete_page(
    request: HttpRequest, obj: Any, kind: str, label: str, back: str,
    cascade: Callable[[], None], done: str,
) -> HttpResponseBase:  # fmt: skip
    """Ask, then delete softly: ``deleted`` set (the OParl server lists it as deleted), what
    belongs to it retired by ``cascade``, audited as ``council.<kind>.deleted``. A POST without
    the confirmation shows the question again with a hint."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        with transaction.atomic():
            obj.deleted = True
            obj.save(update_fields=["deleted"])
            cascade()
            record(request, f"{kind}.deleted", obj)
        messages.success(request, done)
        slug = obj.body.authority.slug
        return redirect(reverse(f"council_staff:{kind}s") + f"?behoerde={slug}")
    context = {"object": obj, "authority": obj.body.authority, "kind": label, "back": back,
               "missing": request.method == "POST"}  # fmt: skip
    return render(request, "council/staff/delete.html", context,
                  status=422 if request.method == "POST" else 200)  # fmt: skip

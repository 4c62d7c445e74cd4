"""The council office keeps the meetings (``/verwaltung/rat/``): a meeting with its agenda, the
papers on its items and its files (invitation, minutes, further files).

Who: ``council.keepers`` (Ratsbüro, Administration, superusers); others get a 403 in the staff
frame, a meeting of another authority's council is a 404. Deleting is soft (``deleted``: the
OParl server keeps listing it as deleted). Every change is audited (``council.meeting.*``).
Everything works without JavaScript: each agenda item has its own small form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core.staff_views import staff_required
from rathaus.council.models import AgendaItem, Consultation, File, Meeting, Paper
from rathaus.council.staff_common import (
    add_page,
    authorities,
    body_of,
    chosen,
    delete_page,
    kept,
    record,
    retire_files,
    store,
)
from rathaus.council.staff_forms import (
    MEETING_FILE_KINDS,
    ROLES,
    AgendaItemForm,
    BodyForm,
    FileForm,
    LinkPaperForm,
    MeetingForm,
)

TEMPLATE = "council/staff/meeting.html"


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return kept(request, Meeting, pk, "location")


def meeting_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("council_staff:meeting", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


@never_cache
@require_safe
@staff_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    found = authorities(request)
    authority = chosen(request, found)
    body = body_of(authority, request.user)
    past = request.GET.get("zeit") == "vergangen"
    now = timezone.now()
    meetings = Meeting.objects.filter(body=body, deleted=False).prefetch_related("organizations")
    if past:
        meetings = meetings.filter(start__lt=now).order_by("-start", "-id")
    else:
        meetings = meetings.exclude(start__lt=now).order_by("start", "id")
    context = {"authority": authority, "authorities": found, "body": body, "past": past,
               "meetings": meetings[:300]}  # fmt: skip
    return render(request, "council/staff/meetings.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def body_settings(request: HttpRequest) -> HttpResponseBase:
    found = authorities(request)
    authority = chosen(request, found)
    body = body_of(authority, request.user)
    form = BodyForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(request, "body.changed", body, fields=sorted(form.changed_data))
        messages.success(request, _("The council's details were saved."))
        return redirect(reverse("council_staff:meetings") + f"?behoerde={authority.slug}")
    return render(request, "council/staff/body.html", {"form": form, "body": body,
                  "authority": authority}, status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def meeting_add(request: HttpRequest) -> HttpResponseBase:
    done = (_("The meeting was saved. Now add its agenda."), meeting_url)
    return add_page(request, MeetingForm, "meeting", TEMPLATE, done)


def _page(request: HttpRequest, meeting: Meeting, code: int = 200, **forms: Any) -> HttpResponse:
    items = list(meeting.agenda_items.filter(deleted=False).prefetch_related(
        "consultations__paper", "auxiliary_files").order_by("order", "id"))  # fmt: skip
    for item in items:
        item.form = forms.get(f"item{item.pk}") or AgendaItemForm(  # type: ignore[attr-defined]
            instance=item, prefix=f"item{item.pk}"
        )
        live = [c for c in item.consultations.all() if not c.deleted and c.paper
                and not c.paper.deleted]  # fmt: skip
        item.live_consultations = live  # type: ignore[attr-defined]
    context = {
        "meeting": meeting,
        "body": meeting.body,
        "authority": meeting.body.authority,
        "form": forms.get("form") or MeetingForm(instance=meeting, body=meeting.body),
        "items": items,
        "new_item": forms.get("new_item") or AgendaItemForm(prefix="new"),
        "link_form": forms.get("link_form") or LinkPaperForm(meeting=meeting),
        "file_form": forms.get("file_form") or FileForm(kinds=MEETING_FILE_KINDS),
        "files": _files(meeting),
        "roles": ROLES,
    }
    return render(request, TEMPLATE, context, status=code)


def _files(meeting: Meeting) -> list[tuple[str, File]]:
    found = [(str(label), getattr(meeting, kind)) for kind, label in MEETING_FILE_KINDS[:3]
             if getattr(meeting, kind) is not None]  # fmt: skip
    label = str(MEETING_FILE_KINDS[3][1])
    found += [(label, file) for file in meeting.auxiliary_files.filter(deleted=False)]
    return found


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)
    if request.method == "GET":
        return _page(request, meeting)
    form = MeetingForm(request.POST, instance=meeting, body=meeting.body)
    if not form.is_valid():
        return _page(request, meeting, 422, form=form)
    with transaction.atomic():
        form.save()
        record(request, "meeting.changed", meeting, fields=sorted(form.changed_data))
        if "cancelled" in form.changed_data:
            record(request, "meeting.cancelled" if meeting.cancelled else "meeting.reinstated",
                   meeting)  # fmt: skip
    messages.success(request, _("The meeting was saved."))
    return redirect(meeting_url(meeting))


def _item_files(items: Any) -> list[File]:
    """The resolution and further files of agenda items."""
    found = File.objects.filter(
        Q(pk__in=items.values("resolution_file")) | Q(pk__in=items.values("auxiliary_files"))
    )
    return list(found.only("id"))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)

    def cascade() -> None:
        now = timezone.now()
        meeting.agenda_items.update(deleted=True, modified=now)
        Consultation.objects.filter(meeting=meeting).update(deleted=True, modified=now)
        # the papers' consultations changed
        papers = Consultation.objects.filter(meeting=meeting).values("paper")
        Paper.objects.filter(pk__in=papers).update(modified=now)
        # Its own files and its items' go with it (OParl lists them as deleted); a file that a
        # paper or another meeting still uses stays.
        retire_files([file for _label, file in _files(meeting)] + _item_files(
            AgendaItem.objects.filter(meeting=meeting)))  # fmt: skip

    done = _("The meeting “%(name)s” was deleted.") % {"name": meeting.name}
    return delete_page(request, meeting, "meeting", _("meeting"), meeting_url(meeting), cascade,
                       done)  # fmt: skip


# --- the agenda ----------------------------------------------------------------------------------


def _item(meeting: Meeting, item_pk: int) -> AgendaItem:
    found = meeting.agenda_items.filter(pk=item_pk, deleted=False).first()
    if found is None:
        raise Http404("no such agenda item of this meeting")
    return found


def _touch(meeting: Meeting) -> None:
    meeting.save(update_fields=["modified"])


@require_POST
@staff_required
def agenda_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)
    form = AgendaItemForm(request.POST, prefix="new")
    if not form.is_valid():
        return _page(request, meeting, 422, new_item=form)
    with transaction.atomic():
        item = form.save(commit=False)
        item.meeting, item.body = meeting, meeting.body
        last = meeting.agenda_items.aggregate(last=Max("order"))["last"]
        item.order = 0 if last is None else last + 1
        item.save()
        _touch(meeting)
        record(request, "meeting.item_added", meeting, item=item.pk)
    messages.success(request, _("The agenda item was added."))
    return redirect(meeting_url(meeting, "tagesordnung"))


@require_POST
@staff_required
def agenda_edit(request: HttpRequest, pk: int, item: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)
    found = _item(meeting, item)
    form = AgendaItemForm(request.POST, instance=found, prefix=f"item{found.pk}")
    if not form.is_valid():
        return _page(request, meeting, 422, **{f"item{found.pk}": form})
    with transaction.atomic():
        form.save()
        _touch(meeting)
        record(request, "meeting.item_changed", meeting, item=found.pk,
               fields=sorted(form.changed_data))  # fmt: skip
    messages.success(request, _("The agenda item was saved."))
    return redirect(meeting_url(meeting, f"top-{found.pk}"))


@require_POST
@staff_required
def agenda_move(request: HttpRequest, pk: int, item: int) -> HttpResponseBase:
    """Move an item one place up or down; the order is renumbered 0, 1, 2 … on the way."""
    meeting = _meeting(request, pk)
    found = _item(meeting, item)
    items = list(meeting.agenda_items.filter(deleted=False).order_by("order", "id"))
    index = items.index(found)
    target = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= target < len(items):
        with transaction.atomic():
            items[index], items[target] = items[target], items[index]
            for position, entry in enumerate(items):
                if entry.order != position:
                    entry.order = position
                    entry.save(update_fields=["order"])
            _touch(meeting)
            record(request, "meeting.item_moved", meeting, item=found.pk, position=target + 1)
    return redirect(meeting_url(meeting, f"top-{found.pk}"))


@require_POST
@staff_required
def agenda_remove(request: HttpRequest, pk: int, item: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)
    found = _item(meeting, item)
    with transaction.atomic():
        found.deleted = True
        found.save(update_fields=["deleted"])
        for consultation in found.consultations.filter(deleted=False):
            consultation.deleted = True
            consultation.save(update_fields=["deleted"])
            Paper.objects.filter(consultations=consultation).update(modified=timezone.now())
        retire_files(_item_files(AgendaItem.objects.filter(pk=found.pk)))
        _touch(meeting)
        record(request, "meeting.item_removed", meeting, item=found.pk)
    messages.success(request, _("The agenda item “%(name)s” was removed.") % {"name": found.name})
    return redirect(meeting_url(meeting, "tagesordnung"))


@require_POST
@staff_required
def paper_link(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Put a paper on an agenda item: its consultation in this meeting."""
    meeting = _meeting(request, pk)
    form = LinkPaperForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _page(request, meeting, 422, link_form=form)
    data = form.cleaned_data
    with transaction.atomic():
        consultation = Consultation.objects.create(
            body=meeting.body, paper=data["paper"], agenda_item=data["agenda_item"],
            meeting=meeting, role=data["role"], authoritative=data["authoritative"],
        )  # fmt: skip
        consultation.organizations.set(meeting.organizations.all())
        data["paper"].save(update_fields=["modified"])
        _touch(meeting)
        record(request, "meeting.paper_linked", meeting, paper=data["paper"].pk,
               consultation=consultation.pk)  # fmt: skip
    messages.success(request, _("The paper %(paper)s is on the agenda item.")
                     % {"paper": data["paper"]})  # fmt: skip
    return redirect(meeting_url(meeting, f"top-{data['agenda_item'].pk}"))


@require_POST
@staff_required
def paper_unlink(request: HttpRequest, pk: int, consultation: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)
    found = Consultation.objects.filter(pk=consultation, meeting=meeting, deleted=False).first()
    if found is None:
        raise Http404("no such consultation in this meeting")
    with transaction.atomic():
        found.deleted = True
        found.save(update_fields=["deleted"])
        now = timezone.now()
        Paper.objects.filter(consultations=found).update(modified=now)
        if found.agenda_item_id is not None:
            AgendaItem.objects.filter(pk=found.agenda_item_id).update(modified=now)
        _touch(meeting)
        record(request, "meeting.paper_unlinked", meeting, consultation=found.pk)
    messages.success(request, _("The paper was taken off the agenda item."))
    return redirect(meeting_url(meeting, "tagesordnung"))


# --- files ---------------------------------------------------------------------------------------


@require_POST
@staff_required
def meeting_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)
    form = FileForm(request.POST, request.FILES, kinds=MEETING_FILE_KINDS)
    if not form.is_valid():
        return _page(request, meeting, 422, file_form=form)
    kind = form.cleaned_data["kind"]

    def attach(file: File) -> None:
        if kind == "auxiliary":
            meeting.auxiliary_files.add(file)
        else:
            setattr(meeting, kind, file)
        meeting.save()
        record(request, "meeting.file_added", meeting, file=file.pk, kind=kind,
               sha512=file.sha512_checksum)  # fmt: skip

    existing = None if kind == "auxiliary" else getattr(meeting, kind)
    stored = store(request, meeting.body, form, attach,
                   lambda failed, status: _page(request, meeting, status, file_form=failed),
                   existing)  # fmt: skip
    if isinstance(stored, HttpResponse):
        return stored
    messages.success(request, _("The file “%(name)s” was added.") % {"name": stored.name})
    return redirect(meeting_url(meeting, "dateien"))


@require_POST
@staff_required
def meeting_file_remove(request: HttpRequest, pk: int, file: int) -> HttpResponseBase:
    meeting = _meeting(request, pk)
    found = next((entry for _label, entry in _files(meeting) if entry.pk == file), None)
    if found is None:
        raise Http404("no such file of this meeting")
    with transaction.atomic():
        found.deleted = True
        found.save(update_fields=["deleted"])
        for kind, _label in MEETING_FILE_KINDS[:3]:
            if getattr(meeting, f"{kind}_id") == found.pk:
                setattr(meeting, kind, None)
        meeting.save()
        record(request, "meeting.file_removed", meeting, file=found.pk)
    messages.success(request, _("The file “%(name)s” was removed.") % {"name": found.name})
    return redirect(meeting_url(meeting, "dateien"))

"""The council office keeps the papers (Vorlagen) below ``/verwaltung/rat/vorlagen/``: the
paper's details, its main file and annexes, and its consultations in meetings.

The same rules as the meetings (``staff_meetings``): ``council.keepers`` decides, another
council's paper is a 404, deleting is soft, every change is audited (``council.paper.*``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
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
    PAPER_FILE_KINDS,
    PAPER_TYPES,
    ROLES,
    ConsultationForm,
    FileForm,
    PaperForm,
)

TEMPLATE = "council/staff/paper.html"


def _paper(request: HttpRequest, pk: int) -> Paper:
    return kept(request, Paper, pk, "main_file")


def paper_url(paper: Paper, anchor: str = "") -> str:
    return reverse("council_staff:paper", args=[paper.pk]) + (f"#{anchor}" if anchor else "")


@never_cache
@require_safe
@staff_required
def paper_list(request: HttpRequest) -> HttpResponse:
    found = authorities(request)
    authority = chosen(request, found)
    body = body_of(authority, request.user)
    query = " ".join(request.GET.get("q", "").split())[:100]
    papers = Paper.objects.filter(body=body, deleted=False)
    if query:
        papers = papers.filter(Q(reference__icontains=query) | Q(name__icontains=query))
    context = {"authority": authority, "authorities": found, "body": body, "query": query,
               "papers": papers.order_by("-date", "-id")[:300]}  # fmt: skip
    return render(request, "council/staff/papers.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def paper_add(request: HttpRequest) -> HttpResponseBase:
    done = (_("The paper was saved. Now add its text as the main file."), paper_url)
    return add_page(request, PaperForm, "paper", TEMPLATE, done, paper_types=PAPER_TYPES)


def _page(request: HttpRequest, paper: Paper, status: int = 200, **forms: Any) -> HttpResponse:
    consultations = (
        Consultation.objects.filter(paper=paper, deleted=False)
        .select_related("meeting", "agenda_item").prefetch_related("organizations")
    )  # fmt: skip
    found = [(str(PAPER_FILE_KINDS[0][1]), paper.main_file)] if paper.main_file else []
    found += [(str(PAPER_FILE_KINDS[1][1]), file)
              for file in paper.auxiliary_files.filter(deleted=False)]  # fmt: skip
    context = {
        "paper": paper,
        "body": paper.body,
        "authority": paper.body.authority,
        "form": forms.get("form") or PaperForm(instance=paper, body=paper.body),
        "consultations": consultations,
        "consultation_form": forms.get("consultation_form") or ConsultationForm(body=paper.body),
        "file_form": forms.get("file_form") or FileForm(kinds=PAPER_FILE_KINDS),
        "files": found,
        "paper_types": PAPER_TYPES,
        "roles": ROLES,
    }
    return render(request, TEMPLATE, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def paper_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    paper = _paper(request, pk)
    if request.method == "GET":
        return _page(request, paper)
    form = PaperForm(request.POST, instance=paper, body=paper.body)
    if not form.is_valid():
        return _page(request, paper, 422, form=form)
    with transaction.atomic():
        form.save()
        record(request, "paper.changed", paper, fields=sorted(form.changed_data))
    messages.success(request, _("The paper was saved."))
    return redirect(paper_url(paper))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def paper_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    paper = _paper(request, pk)

    def cascade() -> None:
        for consultation in paper.consultations.filter(deleted=False):
            consultation.deleted = True
            consultation.save(update_fields=["deleted"])
            _touch_agenda(consultation)
        retire_files([paper.main_file, *paper.auxiliary_files.all()])

    done = _("The paper “%(name)s” was deleted.") % {"name": paper}
    return delete_page(request, paper, "paper", _("paper"), paper_url(paper), cascade, done)


@require_POST
@staff_required
def consultation_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    paper = _paper(request, pk)
    form = ConsultationForm(request.POST, body=paper.body)
    if not form.is_valid():
        return _page(request, paper, 422, consultation_form=form)
    data = form.cleaned_data
    item = data["agenda_item"]
    with transaction.atomic():
        consultation = Consultation.objects.create(
            body=paper.body, paper=paper, agenda_item=item,
            meeting=item.meeting if item is not None else None,
            role=data["role"], authoritative=data["authoritative"],
        )  # fmt: skip
        if data["organization"] is not None:
            consultation.organizations.add(data["organization"])
        elif item is not None:
            consultation.organizations.set(item.meeting.organizations.all())
        paper.save(update_fields=["modified"])
        record(request, "paper.consultation_added", paper, consultation=consultation.pk)
    messages.success(request, _("The consultation was added."))
    return redirect(paper_url(paper, "beratungen"))


def _touch_agenda(consultation: Consultation) -> None:
    """A consultation is gone: the agenda item that named it and its meeting changed too."""
    now = timezone.now()
    if consultation.agenda_item_id is not None:
        AgendaItem.objects.filter(pk=consultation.agenda_item_id).update(modified=now)
    if consultation.meeting_id is not None:
        Meeting.objects.filter(pk=consultation.meeting_id).update(modified=now)


@require_POST
@staff_required
def consultation_remove(request: HttpRequest, pk: int, consultation: int) -> HttpResponseBase:
    paper = _paper(request, pk)
    found = paper.consultations.filter(pk=consultation, deleted=False).first()
    if found is None:
        raise Http404("no such consultation of this paper")
    with transaction.atomic():
        found.deleted = True
        found.save(update_fields=["deleted"])
        paper.save(update_fields=["modified"])
        _touch_agenda(found)
        record(request, "paper.consultation_removed", paper, consultation=found.pk)
    messages.success(request, _("The consultation was removed."))
    return redirect(paper_url(paper, "beratungen"))


@require_POST
@staff_required
def paper_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    paper = _paper(request, pk)
    form = FileForm(request.POST, request.FILES, kinds=PAPER_FILE_KINDS)
    if not form.is_valid():
        return _page(request, paper, 422, file_form=form)
    kind = form.cleaned_data["kind"]

    def attach(file: File) -> None:
        if kind == "main":
            paper.main_file = file
            paper.save()
        else:
            paper.auxiliary_files.add(file)
            paper.save(update_fields=["modified"])
        record(request, "paper.file_added", paper, file=file.pk, kind=kind,
               sha512=file.sha512_checksum)  # fmt: skip

    existing = paper.main_file if kind == "main" else None
    stored = store(request, paper.body, form, attach,
                   lambda failed, status: _page(request, paper, status, file_form=failed),
                   existing)  # fmt: skip
    if isinstance(stored, HttpResponse):
        return stored
    messages.success(request, _("The file “%(name)s” was added.") % {"name": stored.name})
    return redirect(paper_url(paper, "dateien"))


@require_POST
@staff_required
def paper_file_remove(request: HttpRequest, pk: int, file: int) -> HttpResponseBase:
    paper = _paper(request, pk)
    candidates = [paper.main_file] if paper.main_file else []
    candidates += list(paper.auxiliary_files.filter(deleted=False))
    found = next((entry for entry in candidates if entry.pk == file), None)
    if found is None:
        raise Http404("no such file of this paper")
    with transaction.atomic():
        found.deleted = True
        found.save(update_fields=["deleted"])
        if paper.main_file_id == found.pk:
            paper.main_file = None
        paper.save()
        record(request, "paper.file_removed", paper, file=found.pk)
    messages.success(request, _("The file “%(name)s” was removed.") % {"name": found.name})
    return redirect(paper_url(paper, "dateien"))

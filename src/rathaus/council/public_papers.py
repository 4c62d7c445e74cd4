"""The council's papers (Vorlagen): the list with search and filters, and one paper's page.

The list searches reference, title and the text of the papers' files (``council.search``),
filters by kind (``art``) and year (``jahr``) and pages by 20 (``seite``); each hit shows where
the words matched. A paper's page shows its files, who submitted it, which unit is responsible,
where it was consulted (committee, meeting, agenda item, role, decides?, result) and the papers
and places it relates to. Deleted objects never appear.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from rathaus.council import public, search
from rathaus.council.models import Body, Consultation, File, Location, Organization, Paper, Person

PAGE_SIZE = 20


class PaperSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search words"), required=False, max_length=200,
        help_text=gettext_lazy("Reference, title or words from the text of the paper."),
    )  # fmt: skip
    art = forms.ChoiceField(label=gettext_lazy("Kind of paper"), required=False)
    jahr = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int,
                                  empty_value=None)  # fmt: skip

    def __init__(self, *args: Any, kinds: list[str], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invalid = {"invalid_choice": _("Please choose a value from the list.")}
        self.fields["art"].choices = [("", _("All kinds")), *((kind, kind) for kind in kinds)]  # type: ignore[attr-defined]
        self.fields["art"].error_messages.update(invalid)
        self.fields["jahr"].choices = [("", _("All years")), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]
        self.fields["jahr"].error_messages.update(invalid)
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["class"] = "kern-form-input__input"
        for name in ("art", "jahr"):
            self.fields[name].widget.attrs["class"] = "kern-form-input__select"


def papers_of(body: Body) -> Any:
    return Paper.objects.filter(body=body, deleted=False)


def _page_query(data: dict[str, Any], page: int) -> str:
    values = {key: value for key, value in data.items() if value not in ("", None)}
    if page > 1:
        values["seite"] = page
    return "?" + urlencode(values) if values else "?"


@require_safe
def paper_list(request: HttpRequest) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        return public.no_council(request, _("Papers"))
    papers = papers_of(body)
    kinds = list(papers.exclude(paper_type="").order_by("paper_type")
                 .values_list("paper_type", flat=True).distinct())  # fmt: skip
    years = [day.year for day in papers.filter(date__isnull=False).dates("date", "year", "DESC")]
    form = PaperSearchForm(request.GET or None, kinds=kinds, years=years)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    words = search.words_of(data.get("q") or "")
    found = search.matching(papers, words) if words else papers
    if data.get("art"):
        found = found.filter(paper_type=data["art"])
    if data.get("jahr"):
        found = found.filter(date__year=data["jahr"])
    found = found.select_related("main_file").order_by("-date", "-id")
    if words:
        found = found.prefetch_related(Prefetch(
            "auxiliary_files", queryset=File.objects.filter(deleted=False).only("id", "text"),
            to_attr="shown_files",
        ))  # fmt: skip
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("seite"))
    entries = list(page.object_list)
    for paper in entries:
        texts = [paper.reference, paper.name]
        if paper.main_file is not None and not paper.main_file.deleted:
            texts.append(paper.main_file.text)
        texts += [file.text for file in getattr(paper, "shown_files", [])]
        paper.snippet = search.snippet(texts, words)
    shown = {key: data.get(key) for key in ("q", "art", "jahr")}
    context = {
        "body": body,
        "form": form,
        "page": page,
        "entries": entries,
        "searched": bool(words or data.get("art") or data.get("jahr")),
        "previous_url": _page_query(shown, page.number - 1) if page.has_previous() else "",
        "next_url": _page_query(shown, page.number + 1) if page.has_next() else "",
    }
    return render(request, "council/papers.html", context, status=400 if form.errors else 200)


def _consultations(paper: Paper) -> list[dict[str, Any]]:
    found = (
        Consultation.objects.filter(paper=paper, deleted=False)
        .select_related("meeting", "agenda_item")
        .prefetch_related(Prefetch("organizations",
                                   queryset=Organization.objects.filter(deleted=False),
                                   to_attr="shown_organizations"))
        .order_by("meeting__start", "id")
    )  # fmt: skip
    rows = []
    for consultation in found:
        meeting = consultation.meeting
        if meeting is not None and meeting.deleted:
            meeting = None
        item = consultation.agenda_item
        if item is not None and (item.deleted or (meeting is not None and item.meeting_id
                                                  != meeting.pk)):  # fmt: skip
            item = None
        rows.append({
            "organizations": consultation.shown_organizations,
            "meeting": meeting,
            "when": public.when_in_words(meeting.start, None) if meeting else "",
            "item": item,
            "role": consultation.role,
            "authoritative": consultation.authoritative,
            "result": item.result if item is not None and item.public else "",
        })  # fmt: skip
    return rows


def _live(model: type[Any], name: str) -> Prefetch[Any]:
    return Prefetch(name, queryset=model.objects.filter(deleted=False), to_attr=f"shown_{name}")


@require_safe
def paper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        raise Http404("no council")
    paper = (
        papers_of(body).select_related("main_file")
        .prefetch_related(
            _live(File, "auxiliary_files"), _live(Location, "locations"),
            _live(Person, "originator_persons"), _live(Organization, "originator_organizations"),
            _live(Organization, "under_direction_of"), _live(Paper, "related_papers"),
            _live(Paper, "superordinated_papers"), _live(Paper, "subordinated_papers"),
        )
        .filter(pk=pk).first()
    )  # fmt: skip
    if paper is None:
        raise Http404("no such paper")
    files = [public.file_entry(paper.main_file, _("Main file")),
             *(public.file_entry(file) for file in paper.shown_auxiliary_files)]  # fmt: skip
    context = {
        "body": body,
        "paper": paper,
        "files": [entry for entry in files if entry],
        "consultations": _consultations(paper),
        "locations": [public.address_of(location) for location in paper.shown_locations],
    }
    return render(request, "council/paper.html", context)

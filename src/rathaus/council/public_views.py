"""The council's start page (``/rat/``) and one meeting's page.

The start page answers "when does the council meet next, and what did it decide?": the next
meetings, the last held ones, a month calendar (``?monat=2026-12``, links to the months before
and after, a grid on wide screens and a list on phones) and a filter by committee
(``?gremium=<id>``). Everything works without JavaScript.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from rathaus.council import public
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    Organization,
    Paper,
)

NEXT_MEETINGS = 10
LAST_MEETINGS = 5
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class FilterForm(forms.Form):
    gremium = forms.ModelChoiceField(
        label=gettext_lazy("Committee"), queryset=Organization.objects.none(), required=False,
        empty_label=gettext_lazy("All committees"),
        error_messages={"invalid_choice": gettext_lazy("Please choose a committee from the list.")},
    )  # fmt: skip
    monat = forms.CharField(
        label=gettext_lazy("Month"), required=False, max_length=7, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gremium"].queryset = committees(body)  # type: ignore[attr-defined]
        self.fields["gremium"].widget.attrs["class"] = "kern-form-input__select"

    def clean_monat(self) -> dt.date | None:
        raw = self.cleaned_data["monat"].strip()
        if not raw:
            return None
        found = MONTH.match(raw)
        if found is None or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= 2200:
            raise forms.ValidationError(_("Please give the month as year and month, e.g. 2026-12."))
        return dt.date(int(found[1]), int(found[2]), 1)


def committees(body: Body) -> Any:
    """The organisations that meet: the council and its committees (not factions or parties)."""
    return Organization.objects.filter(
        body=body, deleted=False,
        organization_type__in=[Organization.Type.COMMITTEE, Organization.Type.EXTERNAL],
    )  # fmt: skip


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _query(committee: Organization | None, month: dt.date | None) -> str:
    values = {}
    if committee is not None:
        values["gremium"] = str(committee.pk)
    if month is not None:
        values["monat"] = month.strftime("%Y-%m")
    return "?" + urlencode(values) if values else "?"


def month_view(meetings: list[Meeting], month: dt.date) -> dict[str, Any]:
    """The month as weeks of days (Monday first), each day with its meetings."""
    by_day: dict[dt.date, list[Meeting]] = {}
    for meeting in meetings:
        if meeting.start is not None:
            by_day.setdefault(timezone.localtime(meeting.start).date(), []).append(meeting)
    today = timezone.localdate()
    weeks = [
        [
            {"day": day, "in_month": day.month == month.month, "today": day == today,
             "meetings": by_day.get(day, [])}
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]  # fmt: skip
    first_week = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)[0]
    in_month = [meeting for meeting in meetings if meeting.start is not None
                and timezone.localtime(meeting.start).month == month.month]  # fmt: skip
    return {
        "month": month,
        "label": formats.date_format(month, "F Y"),
        "weekdays": [formats.date_format(day, "l") for day in first_week],
        "weeks": weeks,
        "meetings": in_month,
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        return public.no_council(request, _("Council"))
    form = FilterForm(request.GET or None, body=body)
    valid = form.is_valid()
    committee = form.cleaned_data.get("gremium") if valid else None
    chosen_month = form.cleaned_data.get("monat") if valid else None
    now = timezone.now()
    month = chosen_month or timezone.localdate().replace(day=1)
    found = public.meetings_of(body)
    if committee is not None:
        found = found.filter(organizations=committee)
    upcoming = list(found.filter(start__gte=now).order_by("start", "id")[:NEXT_MEETINGS])
    held = list(found.filter(start__lt=now).order_by("-start", "-id")[:LAST_MEETINGS])
    first = timezone.make_aware(dt.datetime.combine(month - dt.timedelta(days=7), dt.time()))
    last = timezone.make_aware(dt.datetime.combine(_shift(month, 1) + dt.timedelta(days=7),
                                                   dt.time()))  # fmt: skip
    in_view = list(found.filter(start__gte=first, start__lt=last).order_by("start", "id"))
    for meeting in [*upcoming, *held, *in_view]:
        public.describe(meeting)
    context = {
        "body": body,
        "form": form,
        "committee": committee,
        "upcoming": upcoming,
        "held": held,
        "calendar": month_view(in_view, month),
        "previous_url": _query(committee, _shift(month, -1)),
        "next_url": _query(committee, _shift(month, 1)),
        "ics_query": f"?gremium={committee.pk}" if committee is not None else "",
    }
    return render(request, "council/index.html", context, status=400 if form.errors else 200)


def _agenda(meeting: Meeting) -> list[Any]:
    """The meeting's agenda; of a non-public item only its number is shown."""
    consultations = Prefetch(
        "consultations",
        queryset=Consultation.objects.filter(deleted=False, paper__deleted=False)
        .select_related("paper").order_by("id"),
        to_attr="shown_consultations",
    )  # fmt: skip
    files = Prefetch("auxiliary_files", queryset=File.objects.filter(deleted=False),
                     to_attr="shown_files")  # fmt: skip
    items = list(
        AgendaItem.objects.filter(meeting=meeting, deleted=False)
        .select_related("resolution_file").prefetch_related(consultations, files)
        .order_by("order", "id")
    )  # fmt: skip
    for item in items:
        if not item.public:
            item.papers = []  # type: ignore[attr-defined]
            item.files = []  # type: ignore[attr-defined]
            continue
        papers: list[Paper] = []
        for consultation in item.shown_consultations:
            if consultation.paper is not None and consultation.paper not in papers:
                papers.append(consultation.paper)
        item.papers = papers  # type: ignore[attr-defined]
        entries = [public.file_entry(item.resolution_file, _("Resolution"))]
        entries += [public.file_entry(file) for file in item.shown_files]
        item.files = [entry for entry in entries if entry]  # type: ignore[attr-defined]
    return items


@require_safe
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        raise Http404("no council")
    meeting = (
        public.meetings_of(body)
        .select_related("invitation", "results_protocol", "verbatim_protocol")
        .prefetch_related(Prefetch("auxiliary_files", queryset=File.objects.filter(deleted=False),
                                   to_attr="shown_files"))
        .filter(pk=pk).first()
    )  # fmt: skip
    if meeting is None:
        raise Http404("no such meeting")
    public.describe(meeting)
    files = [
        public.file_entry(meeting.invitation, _("Invitation")),
        public.file_entry(meeting.results_protocol, _("Minutes of results")),
        public.file_entry(meeting.verbatim_protocol, _("Verbatim minutes")),
        *(public.file_entry(file) for file in meeting.shown_files),
    ]
    context = {
        "body": body,
        "meeting": meeting,
        "address": public.address_of(meeting.location),
        "files": [entry for entry in files if entry],
        "agenda": _agenda(meeting),
    }
    return render(request, "council/meeting.html", context)

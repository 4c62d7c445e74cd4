"""The back office: the inbox of cases and the case page (/verwaltung/vorgaenge/).

Staff see only cases of their units (``access.visible_cases``); everything else is a 404. Every
change goes through ``services`` and lands in the case's timeline and in the audit log.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Manager, Model, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.cases import (
    decisions,
    register,
    search,
    services,
    staff_actions,
    timeline,
    workflow,
)
from rathaus.cases.access import colleagues, visible_cases
from rathaus.cases.models import Case, CaseDocument, DocumentRequest
from rathaus.core import files, refusals
from rathaus.core.bounds import bounded_day, parse_id
from rathaus.core.staff_views import staff_required

PAGE_SIZE = 25
StoredItem = TypeVar("StoredItem", bound=Model)

VIEWS = {
    "bereich": gettext_lazy("My units"),
    "aufgaben": gettext_lazy("My tasks"),
    "meine": gettext_lazy("My cases"),
    "offen": gettext_lazy("Unassigned"),
    "ueberfaellig": gettext_lazy("Overdue"),
    "alle": gettext_lazy("All, including closed"),
}
SORTS = {
    "neueste": gettext_lazy("Newest first"),
    "aelteste": gettext_lazy("Oldest first"),
}


@dataclass
class InboxQuery:
    view: str
    status: str
    form: str
    assignee: str
    since: datetime.date | None
    until: datetime.date | None
    text: str
    sort: str
    after: tuple[datetime.datetime, int] | None

    @classmethod
    def from_request(cls, request: HttpRequest) -> InboxQuery:
        get = request.GET
        view = get.get("ansicht", "bereich")
        sort = get.get("sortierung", "neueste")
        after = parse_cursor(get.get("nach", ""))
        return cls(
            view=view if view in VIEWS else "bereich",
            status=get.get("status", "") if get.get("status", "") in Case.Status.values else "",
            form=get.get("formular", "")[:80],
            assignee=str(parse_id(get.get("bearbeitung")) or ""),
            since=_date(get.get("von", "")),
            until=_date(get.get("bis", "")),
            text=" ".join(get.get("suche", "").split())[:100],
            sort=sort if sort in SORTS else "neueste",
            after=after,
        )

    def params(self, **changes: Any) -> str:
        values = {
            "ansicht": self.view, "status": self.status, "formular": self.form,
            "bearbeitung": self.assignee, "von": self.since.isoformat() if self.since else "",
            "bis": self.until.isoformat() if self.until else "", "suche": self.text,
            "sortierung": self.sort,
        }  # fmt: skip
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})


def parse_cursor(raw: str) -> tuple[datetime.datetime, int] | None:
    """The position after which the next page starts (``<received>_<id>``), or None."""
    stamp, _sep, pk = raw.rpartition("_")
    try:
        moment = parse_datetime(stamp) if stamp else None
    except ValueError:
        return None
    case_id = parse_id(pk)
    if moment is None or case_id is None:
        return None
    return moment, case_id


def cursor_for(case: Case) -> str:
    return f"{case.created_at.isoformat()}_{case.pk}"


def _date(raw: str) -> datetime.date | None:
    return bounded_day(raw)


# A list shows a few columns per case; the search document, the submitted data and the form's
# schema and layout are large and would be read and parsed for every row.
LIST_DEFERRED = ("search_text", "submission__data", "submission__form_version__schema",
                 "submission__form_version__layout")  # fmt: skip


def open_tasks_for(user: Any) -> Any:
    """The open process tasks whose lane lets the user work on them (ADR 0037)."""
    from rathaus.core.lanes import lane_rule

    rule = getattr(user, "_lane_rule", None)  # once per request: the list and its rows use it
    if rule is None:
        rule = lane_rule(user)
        setattr(user, "_lane_rule", rule)  # noqa: B010
    tasks = Case._meta.get_field("tasks").related_model._default_manager  # type: ignore[union-attr]
    return rule.filter(tasks.filter(status="open")).order_by("created_at")


def inbox_queryset(user: Any, query: InboxQuery) -> QuerySet[Case]:
    cases = visible_cases(user)
    if query.view == "aufgaben":  # open process tasks in the user's lanes on the user's cases
        with_tasks = open_tasks_for(user).values("case_id")
        cases = cases.filter(assignee=user, status__in=Case.OPEN, pk__in=with_tasks)
    elif query.view == "meine":
        cases = cases.filter(assignee=user, status__in=Case.OPEN)
    elif query.view == "offen":
        cases = cases.filter(assignee__isnull=True, status__in=Case.OPEN)
    elif query.view == "ueberfaellig":
        cases = cases.filter(status__in=Case.OPEN, due_date__lt=timezone.localdate())
    elif query.view == "bereich":
        cases = cases.filter(status__in=Case.OPEN)
    if query.status:
        cases = cases.filter(status=query.status)
    if query.form:
        cases = cases.filter(submission__form_version__definition__slug=query.form)
    if query.assignee:
        cases = cases.filter(assignee_id=int(query.assignee))
    if query.since:
        cases = cases.filter(created_at__date__gte=query.since)
    if query.until:
        cases = cases.filter(created_at__date__lte=query.until)
    cases = search.matching(cases, query.text)
    # Keyset pagination: the next page starts after the last row shown, so deep pages cost the
    # same as the first and no COUNT over the whole table is needed.
    # The plain bound on created_at is implied by the OR, but unlike the OR the database can
    # start an index scan at it.
    if query.sort == "aelteste":
        if query.after:
            moment, pk = query.after
            cases = cases.filter(created_at__gte=moment).filter(
                Q(created_at__gt=moment) | Q(created_at=moment, id__gt=pk)
            )
        return cases.order_by("created_at", "id")
    if query.after:
        moment, pk = query.after
        cases = cases.filter(created_at__lte=moment).filter(
            Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk)
        )
    return cases.order_by("-created_at", "-id")


@never_cache
@require_safe
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    query = InboxQuery.from_request(request)
    listed = (
        inbox_queryset(request.user, query)
        .select_related("org_unit", "assignee", "submission__form_version__definition")
        .defer(*LIST_DEFERRED)
    )
    if query.view == "aufgaben":  # each case with its tasks and their lanes
        tasks = Prefetch("tasks", queryset=open_tasks_for(request.user), to_attr="open_tasks")
        listed = listed.prefetch_related(tasks)
    rows = list(listed[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_url = ""
    if more:
        last = rows[-1]
        next_url = "?" + query.params(nach=cursor_for(last))
    forms = (
        visible_cases(request.user)
        .exclude(submission__isnull=True)
        .values_list(
            "submission__form_version__definition__slug",
            "submission__form_version__definition__title",
        )
        .distinct()
        .order_by("submission__form_version__definition__title")[:200]
    )
    return render(
        request,
        "cases/staff/inbox.html",
        {
            "query": query,
            "cases": rows,
            "next_url": next_url,
            "views": [
                (key, label, "?" + query.params(ansicht=key)) for key, label in VIEWS.items()
            ],
            "statuses": Case.Status.choices,
            "sorts": SORTS.items(),
            "forms": list(forms),
            "first_page_url": "?" + query.params() if query.after else "",
            "today": timezone.localdate(),
        },
    )


def _case(request: HttpRequest, number: str) -> Case:
    case = (
        visible_cases(request.user)
        .select_related(
            "org_unit",
            "authority",
            "assignee",
            "applicant__user",
            "submission__form_version__definition",
            "submission__offer",
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise refusals.not_found(request, Case, "no such case in the user's units", number=number)
    return case


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponseBase:
    case = _case(request, number)
    if request.method == "POST":
        return _act(request, case)
    instance = getattr(case, "process_instance", None)  # the processes app, if it runs one
    tabs = case_tabs(has_process=instance is not None)
    tab = request.GET.get("tab", "")
    if tab not in dict(tabs):
        tab = DEFAULT_TAB
    context: dict[str, Any] = {
        "case": case,
        "tab": tab,
        "tabs": tabs,
        "has_process": instance is not None,
        "colleagues": list(colleagues(case)),
        "priorities": Case.Priority.choices,
        "documents": list(case.documents.all()),
        "outcomes": decisions.Outcome.choices,
    }
    context["process_running"] = instance is not None and instance.status in ("running", "failed")
    context["decided"] = any(
        document.kind == CaseDocument.Kind.DECISION for document in context["documents"]
    )
    context["statuses"] = status_choices(case, context["decided"])
    context["register_needed"] = register.needs_register(case)
    context["register_record"] = register.confirmed(case) if context["register_needed"] else None
    # Each tab reads only what it shows (ADR 0028).
    if tab == "antrag":
        context.update(application_data(case))
        if context["register_needed"]:  # checked against the application, beside it
            context["register_form"] = context["register_record"] or register.applicant(case)
    elif tab == "dokumente":
        context["document_requests"] = list(case.document_requests.prefetch_related("uploads"))
        context["open_request"] = any(
            item.status == DocumentRequest.Status.OPEN for item in context["document_requests"]
        )
    elif tab == "nachrichten":
        mail = case.events.filter(kind__in=timeline.CORRESPONDENCE).select_related("actor")
        context["correspondence"] = timeline.prepare(mail)
        context["notes"] = list(case.notes.select_related("author"))
    elif tab == "verlauf":
        context["events"] = timeline.prepare(case.events.select_related("actor"))
    return render(request, "cases/staff/case.html", context)


DEFAULT_TAB = "antrag"


def case_tabs(*, has_process: bool) -> list[tuple[str, Any]]:
    """The sections of the case page, each a link ``?tab=<id>`` rendered on the server."""
    tabs = [
        ("antrag", gettext_lazy("Application")),
        ("dokumente", gettext_lazy("Documents")),
        ("nachrichten", gettext_lazy("Messages and notes")),
        ("verlauf", gettext_lazy("History")),
    ]
    if has_process:
        tabs.append(("prozess", gettext_lazy("Process")))
    return tabs


def status_choices(case: Case, decided: bool) -> list[tuple[str, Any]]:
    """The current status and those the table allows from it; "decided" only once the decision
    document exists (it is made with "Create the decision")."""
    allowed = {case.status, *workflow.targets(case.status)}
    if not decided:
        allowed.discard(Case.Status.DECIDED)
    allowed.add(case.status)
    return [(value, label) for value, label in Case.Status.choices if value in allowed]


def application_data(case: Case) -> dict[str, Any]:
    """What the applicant sent: the answers, the files, and documents sent later."""
    from rathaus.forms.receipts import receipt_context
    from rathaus.forms.staff_preview import notes_of

    data: dict[str, Any] = {"later_uploads": list(case.uploads.all())}
    if case.submission is not None:
        receipt = receipt_context(case.submission)
        data["summary"] = receipt["summary"]
        data["attachments"] = receipt["attachments"]
        # Rules of an imported schema that the form does not check (ADR 0033).
        data["unchecked_rules"] = notes_of(case.submission.form_version)
    return data


def _act(request: HttpRequest, case: Case) -> HttpResponseBase:
    """Run the posted action from the registry (``staff_actions``); refusals become messages."""
    try:
        done = staff_actions.perform(request.POST.get("action", ""), case, request.user,
                                     request.POST)  # fmt: skip
    except services.CaseActionRefused as refused:
        messages.error(request, str(refused))
    except PermissionError:
        raise Http404("not the user's case") from None
    else:
        messages.success(request, done)
    address = reverse("cases_staff:case", args=[case.number])
    tab = request.POST.get("tab", "")  # back to the section the form was sent from
    if tab and tab != DEFAULT_TAB and tab in dict(case_tabs(has_process=True)):
        address += "?" + urlencode({"tab": tab})
    return redirect(address)


@never_cache
@require_safe
@staff_required
def upload(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A document the applicant sent later, after a permission check."""
    item = _stored(_case(request, number).uploads, pk, "no such file in this case")
    return files.response(item.file, filename=item.original_name, content_type=item.content_type)


@never_cache
@require_safe
@staff_required
def attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    case = _case(request, number)
    if case.submission is None:
        raise Http404("no submission")
    file = _stored(case.submission.attachments, pk, "no such file")
    return files.response(file.file, filename=file.original_name, content_type=file.content_type)


@never_cache
@require_safe
@staff_required
def document(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A document the authority made in the case (the Bescheid), for staff of the case's units."""
    stored = _stored(_case(request, number).documents, pk, "no such document")
    return files.response(stored.file, filename=stored.filename, content_type="application/pdf")


def _stored(items: Manager[StoredItem], pk: int, missing: str) -> StoredItem:
    """One of the case's files (an upload, an attachment, a document) with its stored file."""
    found = items.select_related("file").filter(pk=pk).first()
    if found is None:
        raise Http404(missing)
    return found


@never_cache
@require_POST
@staff_required
def decision_preview(request: HttpRequest, number: str) -> HttpResponseBase:
    """The decision letter as it would be sent, before it is sent: the page shows it with a
    "Send" button that makes it (``action=decide`` on the case page); ``format=pdf`` gives the
    PDF itself. Nothing is stored. Works without JavaScript."""
    case = _case(request, number)
    outcome = request.POST.get("outcome", "")
    reasons = request.POST.get("reasons", "")
    as_pdf = request.POST.get("format") == "pdf"
    try:
        letter = decisions.preview(case, request.user, outcome, reasons, pdf=as_pdf)
    except services.CaseActionRefused as refused:
        messages.error(request, str(refused))
        return redirect(reverse("cases_staff:case", args=[case.number]) + "?tab=dokumente")
    if as_pdf:
        response = HttpResponse(letter, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="Vorschau.pdf"'
        return response
    context = {
        "case": case,
        "outcome": outcome,
        "outcome_label": decisions.Outcome(outcome).label,
        "reasons": reasons,
        "letter": decisions.letter_body(letter),
    }
    return render(request, "cases/staff/decision_preview.html", context)

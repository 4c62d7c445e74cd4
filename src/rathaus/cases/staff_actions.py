"""The actions on the staff case page, as a registry: id, label, permission check, form, handler.

The page posts ``action=<id>`` with the fields of that action's form; the view looks the action
up in :data:`staff_actions`, checks the permission, validates the form and runs the handler,
which calls the case services (``services``, ``documents``, ``decisions``) and returns the
message for the clerk. A refusal of the services (``CaseActionRefused``, also a status change the
table does not allow) is shown as an error message. The cases app registers its actions in
``CasesConfig.ready()``; another app adds an action the same way.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.cases import decisions, documents, services
from rathaus.cases.models import Case
from rathaus.core.bounds import bounded_day, parse_id
from rathaus.core.plugins import Registry


class ActionForm(forms.Form):
    """The fields an action reads from the post; it knows the case it is about."""

    def __init__(self, data: Any, *, case: Case) -> None:
        super().__init__(data)
        self.case = case


Handler = Callable[[Case, Any, dict[str, Any]], str]
Permission = Callable[[Any, Case], bool]


def member_of_the_units(user: Any, case: Case) -> bool:
    """Every member of staff who sees the case (its units and the units above) may work on it;
    the case page is only found through ``visible_cases``, so this holds for any user there."""
    return bool(user.is_active and user.is_staff)


@dataclass(frozen=True)
class StaffAction:
    form: type[ActionForm]
    handler: Handler
    permitted: Permission = member_of_the_units


staff_actions: Registry[StaffAction] = Registry("case staff action")


# --- forms ---------------------------------------------------------------------------------------


class AssignForm(ActionForm):
    assignee = forms.CharField(required=False)

    def clean_assignee(self) -> Any:
        assignee_id = parse_id(self.cleaned_data["assignee"])
        return get_user_model().objects.filter(pk=assignee_id).first() if assignee_id else None


class StatusForm(ActionForm):
    status = forms.CharField(required=False)


class DueDateForm(ActionForm):
    due_date = forms.CharField(required=False)

    def clean_due_date(self) -> datetime.date | None:
        raw = self.cleaned_data["due_date"]
        due = bounded_day(raw) if raw else None
        if raw and due is None:
            raise forms.ValidationError(_("Please enter a valid date."))
        return due


class PriorityForm(ActionForm):
    priority = forms.CharField(required=False)


class NoteForm(ActionForm):
    note = forms.CharField(required=False)


class MessageForm(ActionForm):
    subject = forms.CharField(required=False)
    body = forms.CharField(required=False)


class RequestDocumentsForm(ActionForm):
    documents = forms.CharField(required=False)
    days = forms.CharField(required=False)

    def clean_days(self) -> int:
        raw = str(self.data.get("days", "14")).strip()  # not sent: the usual 14 days
        days = parse_id(raw)
        if days is None or days > 180:
            raise forms.ValidationError(_("Please enter between 1 and 180 days."))
        return days


class DocumentsReceivedForm(ActionForm):
    request = forms.CharField(required=False)
    comment = forms.CharField(required=False)

    def clean_request(self) -> Any:
        request_id = parse_id(self.cleaned_data["request"])
        item = self.case.document_requests.filter(pk=request_id).first() if request_id else None
        if item is None:
            raise forms.ValidationError(_("Unknown document request."))
        return item


class DecideForm(ActionForm):
    outcome = forms.CharField(required=False)
    reasons = forms.CharField(required=False)


class RegisterForm(ActionForm):
    """The register data the clerk confirms (or corrects) for the letter; dates as YYYY-MM-DD
    (the browser's date field)."""

    first_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    date_of_birth = forms.CharField()
    street = forms.CharField(max_length=200)
    postal_code = forms.RegexField(regex=r"^\d{5}$")
    place = forms.CharField(max_length=100)
    moved_in_on = forms.CharField()

    def _day(self, name: str) -> datetime.date:
        day = bounded_day(self.cleaned_data[name])
        if day is None or day > timezone.localdate():
            raise forms.ValidationError(_("Please enter a valid date."))
        return day

    def clean_date_of_birth(self) -> datetime.date:
        return self._day("date_of_birth")

    def clean_moved_in_on(self) -> datetime.date:
        return self._day("moved_in_on")


# --- handlers ------------------------------------------------------------------------------------


def claim(case: Case, user: Any, data: dict[str, Any]) -> str:
    services.claim(case, user)
    return _("You are now working on this case.")


def assign(case: Case, user: Any, data: dict[str, Any]) -> str:
    services.assign(case, user, data["assignee"])
    return _("The assignment was changed.")


def set_status(case: Case, user: Any, data: dict[str, Any]) -> str:
    services.set_status(case, user, data["status"])
    return _("The status was changed.")


def set_due_date(case: Case, user: Any, data: dict[str, Any]) -> str:
    services.set_due_date(case, user, data["due_date"])
    return _("The due date was changed.")


def set_priority(case: Case, user: Any, data: dict[str, Any]) -> str:
    services.set_priority(case, user, data["priority"])
    return _("The priority was changed.")


def add_note(case: Case, user: Any, data: dict[str, Any]) -> str:
    services.add_note(case, user, data["note"])
    return _("The note was saved.")


def message(case: Case, user: Any, data: dict[str, Any]) -> str:
    services.message_applicant(case, user, data["subject"], data["body"])
    return _("The message is in the applicant's mailbox.")


def request_documents(case: Case, user: Any, data: dict[str, Any]) -> str:
    due = timezone.localdate() + datetime.timedelta(days=data["days"])
    documents.request_documents(case, user, data["documents"], due_date=due)
    return _("The applicant has been asked for the documents.")


def documents_received(case: Case, user: Any, data: dict[str, Any]) -> str:
    documents.mark_received(data["request"], user, data["comment"])
    return _("The documents are recorded as received.")


def confirm_register(case: Case, user: Any, data: dict[str, Any]) -> str:
    from rathaus.cases import register
    from rathaus.cases.models import RegisterRecord

    if not register.needs_register(case):
        raise services.CaseActionRefused(_("This case does not need register data."))
    if case.documents.filter(kind="decision").exists():
        raise services.CaseActionRefused(_("This case has already been decided."))
    person = register.Person(**{name: data[name] for name in RegisterForm.base_fields})
    register.save(case, person, user=user, source=RegisterRecord.Source.STAFF)
    return _("The register data is confirmed; it will be printed in the letter.")


def decide(case: Case, user: Any, data: dict[str, Any]) -> str:
    document = decisions.decide(case, user, data["outcome"], data["reasons"])
    if case.applicant_id is not None:
        return _("The decision was made and sent to the applicant's mailbox.")
    return _(
        "The decision was made. The applicant has no account: please send %(file)s by post."
    ) % {"file": document.filename}


BUILT_IN: tuple[tuple[str, Any, StaffAction], ...] = (
    ("claim", gettext_lazy("Take this case"), StaffAction(ActionForm, claim)),
    ("assign", gettext_lazy("Assign"), StaffAction(AssignForm, assign)),
    ("status", gettext_lazy("Change status"), StaffAction(StatusForm, set_status)),
    ("due", gettext_lazy("Set due date"), StaffAction(DueDateForm, set_due_date)),
    ("priority", gettext_lazy("Set priority"), StaffAction(PriorityForm, set_priority)),
    ("note", gettext_lazy("Save note"), StaffAction(NoteForm, add_note)),
    ("message", gettext_lazy("Send to the mailbox"), StaffAction(MessageForm, message)),
    ("request_documents", gettext_lazy("Request documents"),
     StaffAction(RequestDocumentsForm, request_documents)),
    ("documents_received", gettext_lazy("Documents received"),
     StaffAction(DocumentsReceivedForm, documents_received)),
    ("register", gettext_lazy("Confirm the register data"),
     StaffAction(RegisterForm, confirm_register)),
    ("decide", gettext_lazy("Create the decision"), StaffAction(DecideForm, decide)),
)  # fmt: skip


def register_built_in() -> None:
    for id, label, action in BUILT_IN:
        staff_actions.register(id, action, label=label)


def perform(id: str, case: Case, user: Any, data: Any) -> str:
    """Run the action ``id`` on the case with the posted ``data``; the message for the clerk.

    Raises ``CaseActionRefused`` (unknown action, no permission, invalid form, or a refusal of
    the services) and ``PermissionError`` (the case is not in the user's units).
    """
    if id not in staff_actions:
        raise services.CaseActionRefused(_("Unknown action."))
    action = staff_actions.get(id)
    if not action.permitted(user, case):
        raise services.CaseActionRefused(_("You may not do this in this case."))
    form = action.form(data, case=case)
    if not form.is_valid():
        errors = [str(message) for messages in form.errors.values() for message in messages]
        raise services.CaseActionRefused(errors[0])
    return action.handler(case, user, form.cleaned_data)

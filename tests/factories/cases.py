"""Factories for cases and what belongs to them.

Submissions are stored the way the portal and the API store them, through
:func:`rathaus.forms.submissions.create_submission` (reference number, first event),
so these factories never write a submission row themselves.
"""

from __future__ import annotations

import datetime

import factory

from rathaus.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CaseUpload,
    DocumentRequest,
    OutboxItem,
    RegisterRecord,
)
from rathaus.cases.search import search_document
from tests.factories.core import (
    PDF,
    PDF_SHA512,
    AuthorityFactory,
    OrgUnitFactory,
    StoredFileFactory,
    UserFactory,
    now,
)
from tests.factories.forms import submission_for


class CaseFactory(factory.django.DjangoModelFactory):
    """A new case in a unit, opened from a submission; pass ``form_version`` to share a form.

    The case row is written directly, not by ``rathaus.cases.services.open_case``, so no process starts and
    the timeline stays empty (use ProcessInstanceFactory and CaseEventFactory for those).
    Even ``build()`` stores the submission: only the service can write one.
    """

    class Meta:
        model = Case

    class Params:
        form_version = None
        account = None

    org_unit = factory.SubFactory(OrgUnitFactory)
    authority = factory.SelfAttribute("org_unit.authority")
    submission = factory.LazyAttribute(
        lambda o: submission_for(o.authority, form_version=o.form_version, account=o.account)
    )
    number = factory.Sequence(lambda n: f"BSP-2026-{n:05d}")
    title = factory.LazyAttribute(lambda o: o.submission.form_version.title[:200])
    applicant = factory.SelfAttribute("submission.account")
    status = Case.Status.NEW
    priority = Case.Priority.NORMAL
    created_at = factory.SelfAttribute("submission.submitted_at")
    updated_at = factory.SelfAttribute("created_at")
    search_text = factory.LazyAttribute(lambda o: search_document(o.number, o.title.lower()))


class CaseEventFactory(factory.django.DjangoModelFactory):
    """A status change by a clerk, shown to the applicant."""

    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = "status"
    actor = factory.SubFactory(UserFactory)
    actor_label = factory.LazyAttribute(lambda o: o.actor.get_full_name() or o.actor.username)
    at = factory.LazyFunction(now)
    old = Case.Status.NEW
    new = Case.Status.IN_PROGRESS
    visible_to_applicant = True


class CaseNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNote

    case = factory.SubFactory(CaseFactory)
    author = factory.SubFactory(UserFactory)
    text = "Rückfrage beim Einwohnermeldeamt gestellt."
    created_at = factory.LazyFunction(now)


class OutboxItemFactory(factory.django.DjangoModelFactory):
    """A submission waiting for the exchange to an authority not served here."""

    class Meta:
        model = OutboxItem

    target = factory.SubFactory(AuthorityFactory)
    submission = factory.LazyAttribute(lambda o: submission_for(o.target))
    created_at = factory.LazyFunction(now)


class CaseDocumentFactory(factory.django.DjangoModelFactory):
    """The decision of a case, with its PDF as a stored file."""

    class Meta:
        model = CaseDocument

    case = factory.SubFactory(CaseFactory)
    kind = CaseDocument.Kind.DECISION
    title = "Bescheid"
    filename = "bescheid.pdf"
    file = factory.SubFactory(StoredFileFactory, name="bescheid.pdf")
    size = len(PDF)
    sha512 = PDF_SHA512
    created_at = factory.LazyFunction(now)
    created_by = factory.SubFactory(UserFactory)


class DocumentRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentRequest

    case = factory.SubFactory(CaseFactory)
    documents = "Kopie des Personalausweises (Vorder- und Rückseite)"
    requested_at = factory.LazyFunction(now)
    requested_by = factory.SubFactory(UserFactory)


class CaseUploadFactory(factory.django.DjangoModelFactory):
    """A document sent later, with its stored file."""

    class Meta:
        model = CaseUpload

    request = factory.SubFactory(DocumentRequestFactory)
    case = factory.SelfAttribute("request.case")
    file = factory.SubFactory(StoredFileFactory, name="personalausweis.pdf")
    original_name = "personalausweis.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha512 = PDF_SHA512
    uploaded_at = factory.LazyFunction(now)


class RegisterRecordFactory(factory.django.DjangoModelFactory):
    """Register data confirmed by a clerk for a case."""

    class Meta:
        model = RegisterRecord

    case = factory.SubFactory(CaseFactory)
    first_name = "Erika"
    family_name = "Muster"
    date_of_birth = datetime.date(1980, 5, 17)
    street = "Breiteweg 12"
    postal_code = "39179"
    place = "Barleben"
    moved_in_on = datetime.date(2015, 3, 1)
    source = RegisterRecord.Source.STAFF
    confirmed_at = factory.LazyFunction(now)
    confirmed_by = factory.SubFactory(UserFactory)

"""Factories for online forms: definitions, versions, drafts and uploads."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import factory

from rathaus.forms import submissions
from rathaus.forms.models import (
    CodeList,
    Draft,
    FormDefinition,
    FormVersion,
    Submission,
    SubmissionAttachment,
    SubmissionEvent,
    TrustRequirement,
    Upload,
)
from tests.factories.core import PDF, PDF_SHA512, AuthorityFactory, StoredFileFactory, now

# A small form the form engine accepts: who asks, and what for.
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 200},
        "email": {"type": "string", "format": "email"},
        "message": {"type": "string", "minLength": 3, "maxLength": 2000},
    },
    "required": ["name", "email", "message"],
}
LAYOUT = {
    "steps": [
        {
            "id": "antrag",
            "title": "Ihr Antrag",
            "elements": [
                {"field": "name", "widget": "text", "label": "Name"},
                {"field": "email", "widget": "email", "label": "E-Mail-Adresse"},
                {"field": "message", "widget": "textarea", "label": "Ihr Anliegen"},
            ],
        }
    ]
}
ANSWERS = {"name": "Ilse Beispiel", "email": "ilse@example.org", "message": "Bitte um Rückruf."}


class FormDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormDefinition

    authority = factory.SubFactory(AuthorityFactory)
    slug = factory.Sequence(lambda n: f"antrag-{n}")
    title = factory.Sequence(lambda n: f"Antrag auf Beispielbescheinigung {n}")


class FormVersionFactory(factory.django.DjangoModelFactory):
    """A published version 1 of a new form; pass ``definition`` and ``number`` for another."""

    class Meta:
        model = FormVersion

    definition = factory.SubFactory(FormDefinitionFactory)
    number = 1
    status = FormVersion.Status.PUBLISHED
    title = factory.SelfAttribute("definition.title")
    introduction = "Beantragen Sie die Bescheinigung online."
    schema = factory.LazyFunction(lambda: dict(SCHEMA))
    layout = factory.LazyFunction(lambda: dict(LAYOUT))
    min_trust_level = TrustRequirement.NONE
    receipt_email_field = "email"
    next_steps = "Wir melden uns innerhalb von 5 Arbeitstagen."
    published_at = factory.LazyFunction(now)


class CodeListFactory(factory.django.DjangoModelFactory):
    """A stored genericode code list, as `rathaus import-codelist` leaves it."""

    class Meta:
        model = CodeList

    urn = factory.Sequence(lambda n: f"urn:de:example:codeliste:liste-{n}")
    version = "1.0"
    name = factory.Sequence(lambda n: f"Beispielliste {n}")
    codes = factory.LazyFunction(lambda: [["001", "ja"], ["002", "nein"]])


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    version = factory.SubFactory(FormVersionFactory)
    data = factory.LazyFunction(lambda: {"name": "Ilse Beispiel"})
    expires_at = factory.LazyFunction(lambda: now() + datetime.timedelta(days=30))


class UploadFactory(factory.django.DjangoModelFactory):
    """A checked upload with its stored file."""

    class Meta:
        model = Upload

    draft = factory.SubFactory(DraftFactory)
    definition = factory.SelfAttribute("draft.version.definition")
    field = "nachweis"
    file = factory.SubFactory(StoredFileFactory, name="personalausweis.pdf")
    original_name = "personalausweis.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha512 = PDF_SHA512


def submission_for(
    authority: Any, *, form_version: Any = None, account: Any = None, data: Any = None
) -> Any:
    """A stored submission to the authority (of a new form unless ``form_version`` is given)."""
    if form_version is None:
        form_version = FormVersionFactory(definition=FormDefinitionFactory(authority=authority))
    submission, _created = submissions.create_submission(
        authority=authority,
        form_version=form_version,
        data=dict(ANSWERS) if data is None else data,
        trust_level="basic" if account is not None else "none",
        channel="web",
        account=account,
        contact_email="" if account is not None else ANSWERS["email"],
    )
    return submission


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submission stored through :func:`rathaus.forms.submissions.create_submission`, the only
    writer of submissions (reference number and "submitted" event with it)."""

    class Meta:
        model = Submission

    authority = factory.SubFactory(AuthorityFactory)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        return submission_for(kwargs.pop("authority"), **kwargs)


class SubmissionAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmissionAttachment

    submission = factory.SubFactory(SubmissionFactory)
    upload_id = factory.LazyFunction(uuid.uuid4)
    field = "nachweis"
    file = factory.SubFactory(StoredFileFactory, name="Nachweis.pdf")
    original_name = "Nachweis.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha512 = PDF_SHA512


class SubmissionEventFactory(factory.django.DjangoModelFactory):
    """The submission went to its unit (the "submitted" event comes with the submission)."""

    class Meta:
        model = SubmissionEvent

    submission = factory.SubFactory(SubmissionFactory)
    kind = SubmissionEvent.Kind.ROUTED
    at = factory.LazyFunction(now)
    detail = factory.LazyFunction(lambda: {"unit": "buergerbuero"})

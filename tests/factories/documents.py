"""Factories for the e-file: file plan subjects, files, documents and what belongs to them."""

from __future__ import annotations

import factory

from rathaus.documents.models import (
    AccessRecord,
    Annotation,
    DeletionRecord,
    DeletionRequest,
    Document,
    File,
    FileEvent,
    Subject,
    Version,
)
from tests.factories.core import (
    AuthorityFactory,
    OrgUnitFactory,
    StoredFileFactory,
    UserFactory,
)


class SubjectFactory(factory.django.DjangoModelFactory):
    """A file plan subject whose files are kept ten years and then destroyed."""

    class Meta:
        model = Subject

    authority = factory.SubFactory(AuthorityFactory)
    code = factory.Sequence(lambda n: f"32.{n:02d}")
    title = factory.Sequence(lambda n: f"Meldewesen {n}")
    retention_years = 10
    disposal = Subject.Disposal.DESTROY
    legal_basis = "Aufbewahrungsbestimmungen des Landes"


class FileFactory(factory.django.DjangoModelFactory):
    """An open file of a unit, created by staff, under a subject of the unit's authority."""

    class Meta:
        model = File

    org_unit = factory.SubFactory(OrgUnitFactory)
    authority = factory.SelfAttribute("org_unit.authority")
    subject = factory.SubFactory(SubjectFactory, authority=factory.SelfAttribute("..authority"))
    number = factory.Sequence(lambda n: f"32.10/2026/{n:04d}")
    title = factory.Sequence(lambda n: f"Akte {n}")
    origin = File.Origin.STAFF


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    file = factory.SubFactory(FileFactory)
    title = factory.Sequence(lambda n: f"Schreiben {n}")
    kind = Document.Kind.LETTER
    direction = Document.Direction.INCOMING


class VersionFactory(factory.django.DjangoModelFactory):
    """The first version of a document, with its content in the file store."""

    class Meta:
        model = Version

    document = factory.SubFactory(DocumentFactory)
    number = 1
    file = factory.SubFactory(StoredFileFactory)
    filename = factory.SelfAttribute("file.name")
    media_type = factory.SelfAttribute("file.media_type")
    size = factory.SelfAttribute("file.size")
    sha256 = factory.SelfAttribute("file.sha256")


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    document = factory.SubFactory(DocumentFactory)
    text = "Rücksprache mit dem Standesamt gehalten."
    created_by = factory.SubFactory(UserFactory)


class FileEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FileEvent

    file = factory.SubFactory(FileFactory)
    kind = "file_created"
    actor_label = "rathaus"


class AccessRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessRecord

    file = factory.SelfAttribute("version.document.file")
    version = factory.SubFactory(VersionFactory)
    document = factory.SelfAttribute("version.document")
    version_number = factory.SelfAttribute("version.number")
    document_title = factory.SelfAttribute("document.title")
    action = AccessRecord.Action.DOWNLOAD
    user = factory.SubFactory(UserFactory)
    user_label = factory.SelfAttribute("user.username")


class DeletionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeletionRequest

    file = factory.SubFactory(FileFactory)
    requested_by = factory.SubFactory(UserFactory)
    reason = "Aufbewahrungsfrist abgelaufen"


class DeletionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeletionRecord

    authority = factory.SubFactory(AuthorityFactory)
    file_number = factory.Sequence(lambda n: f"32.10/2014/{n:04d}")
    subject_code = "32.10"
    subject_title = "Meldewesen"
    documents = 3
    versions = 4
    closed_at = None
    retention_ends_on = None
    legal_basis = "Aufbewahrungsbestimmungen des Landes"
    requested_by_label = "Sachbearbeitung"
    approved_by_label = "Leitung"

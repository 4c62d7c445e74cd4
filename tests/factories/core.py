"""Factories for the core app: authorities, units, staff users, mail, keys and housekeeping."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core import keys, roles
from rathaus.core.models import (
    ApiToken,
    AuditChainHead,
    AuditEvent,
    Authority,
    AuthorityHost,
    DeadLetter,
    Locality,
    Membership,
    OrgUnit,
    OutgoingAttachment,
    OutgoingEmail,
    PostalPlace,
    RateCounter,
    ScheduledJob,
    Sequence,
    StoredFile,
    WorkerHeartbeat,
)

PASSWORD = "correct horse battery staple"

# A tiny PDF for file fields; enough for the "%PDF-" check of the upload and download paths.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_SHA512 = hashlib.sha512(PDF).hexdigest()


def now() -> datetime.datetime:
    return timezone.now()


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def letters(number: int) -> str:
    """The number in capital letters (A, B, …, Z, BA, …), for fields that allow only letters."""
    text = ""
    while True:
        number, rest = divmod(number, 26)
        text = chr(ord("A") + rest) + text
        if not number:
            return text


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"gemeinde-{n}")
    name = factory.Sequence(lambda n: f"Gemeinde Beispielstadt {n}")
    kind = Authority.Kind.GEMEINDE
    ags = factory.Sequence(lambda n: f"15091{n % 1000:03d}")  # a Kreis no demo authority uses
    ars = factory.LazyAttribute(lambda o: keys.ars_for_einheitsgemeinde(o.ags))
    street = "Marktplatz 1"
    postal_code = "39179"
    city = "Beispielstadt"
    # Otherwise the prefix comes from the slug, and "gemeinde-1" and "gemeinde-2" would both
    # number their applications GEM-2026-000001.
    reference_prefix = factory.Sequence(lambda n: f"BS{letters(n)}")


class AuthorityHostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorityHost

    authority = factory.SubFactory(AuthorityFactory)
    hostname = factory.Sequence(lambda n: f"gemeinde-{n}.localhost")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    authority = factory.SubFactory(AuthorityFactory)
    slug = factory.Sequence(lambda n: f"amt-{n}")
    name = factory.Sequence(lambda n: f"Amt {n}")
    description = "Zuständig für Beispiele."
    email = factory.LazyAttribute(lambda o: f"{o.slug}@example.org")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Kim"
    last_name = "Beispiel"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator"
    confirmed = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    role = factory.LazyFunction(lambda: roles.role(roles.CLERK))


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    worker_id = factory.Sequence(lambda n: f"worker-{n}")
    hostname = "rathaus-app-1"
    pid = factory.Sequence(lambda n: 4000 + n)
    started_at = factory.LazyFunction(now)
    last_seen = factory.LazyAttribute(lambda o: o.started_at)


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Ortsteil Beispieldorf {n}")
    postal_code = "39179"


class PostalPlaceFactory(factory.django.DjangoModelFactory):
    """A place beside the reference table; the made-up Kreis key 15999 matches no real Kreis."""

    class Meta:
        model = PostalPlace

    postal_code = "39179"
    place = factory.Sequence(lambda n: f"Beispieldorf {n}")
    kreis_ags = "15999"
    kreis = "Beispielkreis"
    state = "Sachsen-Anhalt"


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingEmail

    to = factory.Sequence(lambda n: f"buerger{n}@example.org")
    subject = "Ihr Antrag ist eingegangen"
    text_body = "Guten Tag,\n\nwir haben Ihren Antrag erhalten.\n\nIhre Gemeindeverwaltung"
    language = "de"
    authority = factory.SubFactory(AuthorityFactory)
    created_at = factory.LazyFunction(now)


class StoredFileFactory(factory.django.DjangoModelFactory):
    """A stored file with its blob in the "files" storage (below MEDIA_ROOT, which every test
    has in its own temporary folder)."""

    class Meta:
        model = StoredFile

    name = "bescheid.pdf"
    media_type = "application/pdf"
    content = PDF

    @classmethod
    def _create(cls, model_class: type, *args: Any, content: bytes = PDF, **kwargs: Any) -> Any:
        from rathaus.core import files

        return files.store_bytes(content, **kwargs)


class OutgoingAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingAttachment

    email = factory.SubFactory(OutgoingEmailFactory)
    filename = "eingangsbestaetigung.pdf"
    content_type = "application/pdf"
    file = factory.SubFactory(StoredFileFactory, name="eingangsbestaetigung.pdf")


class DeadLetterFactory(factory.django.DjangoModelFactory):
    """A routing task set aside after its worker died five times."""

    class Meta:
        model = DeadLetter

    task_id = factory.Faker("uuid4", cast_to=None)
    task_path = "rathaus.cases.tasks.route_submission"
    args_kwargs = factory.LazyFunction(lambda: {"args": ["00000000-0000-0000-0000-000000000000"],
                                                "kwargs": {}})  # fmt: skip
    reason = DeadLetter.Reason.WORKER_LOST
    attempts = 5
    error = "rathaus.core.taskqueue.WorkerLost"
    created_at = factory.LazyFunction(now)


class ScheduledJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledJob

    name = factory.Sequence(lambda n: f"aufraeumen-{n}")
    last_run_at = factory.LazyFunction(now)


class RateCounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RateCounter

    key = factory.Sequence(lambda n: f"login:192.0.2.{n % 250 + 1}:{n}")
    window_start = factory.LazyFunction(lambda: now().replace(second=0, microsecond=0))
    count = 1


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A key row as the staff pages store it; the secret itself is not known (only its hash)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "Fachverfahren"
    prefix = factory.Sequence(lambda n: f"rk_{n:08d}")
    key_hash = factory.Sequence(lambda n: sha256_of(f"api-key-{n}"))
    created_at = factory.LazyFunction(now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + datetime.timedelta(days=90))


class SequenceFactory(factory.django.DjangoModelFactory):
    """A numbering scope that has handed out a few numbers."""

    class Meta:
        model = Sequence

    scope = factory.Sequence(lambda n: f"reference:{9000 + n}:2026")
    value = 3


class AuditEventFactory(factory.django.DjangoModelFactory):
    """A security event written the only way one is written: :func:`rathaus.core.audit.record`
    (so it is linked into its authority's chain, with a keyed hash)."""

    class Meta:
        model = AuditEvent

    action = "auth.login"
    actor = factory.SubFactory(UserFactory)
    authority = factory.SubFactory(AuthorityFactory)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> AuditEvent:
        from rathaus.core import audit

        return audit.record(
            str(kwargs["action"]),
            actor=kwargs["actor"],
            authority=kwargs["authority"],
            details={"how": "password"},
        )


class AuditChainHeadFactory(factory.django.DjangoModelFactory):
    """The head of an authority's chain after one entry: written by ``audit.record`` too."""

    class Meta:
        model = AuditChainHead

    authority = factory.SubFactory(AuthorityFactory)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> AuditChainHead:
        event = AuditEventFactory(authority=kwargs["authority"])
        return AuditChainHead.objects.get(pk=event.chain)

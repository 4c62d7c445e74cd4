"""Factories for the accounts app: citizens' accounts, their mailbox and their logins."""

from __future__ import annotations

import datetime

import factory

from rathaus.accounts.models import (
    Account,
    Consent,
    ExternalIdentity,
    LoginDelay,
    Message,
    MessageAttachment,
    RegistrationAttempt,
    UsedChallenge,
    UsedSamlMessage,
)
from tests.factories.core import (
    PDF,
    AuthorityFactory,
    StoredFileFactory,
    UserFactory,
    now,
    sha256_of,
)


class AccountFactory(factory.django.DjangoModelFactory):
    """A private person's account; the login name is the e-mail address, as on registration."""

    class Meta:
        model = Account

    user = factory.SubFactory(
        UserFactory,
        username=factory.Sequence(lambda n: f"ilse.beispiel{n}@example.org"),
        email=factory.SelfAttribute("username"),
        first_name="Ilse",
        is_staff=False,
    )
    kind = Account.Kind.PERSON
    date_of_birth = datetime.date(1957, 3, 14)
    street = "Lindenallee 7"
    postal_code = "39179"
    city = "Beispielstadt"
    email_verified_at = factory.LazyFunction(now)


class RegistrationAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationAttempt

    ip_address = factory.Sequence(lambda n: f"192.0.2.{n % 250 + 1}")  # TEST-NET-1
    created_at = factory.LazyFunction(now)


class LoginDelayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoginDelay

    user = factory.SubFactory(UserFactory)
    failures = 3
    first_failure_at = factory.LazyFunction(now)
    last_failure_at = factory.LazyFunction(now)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    account = factory.SubFactory(AccountFactory)
    topic = "datenschutz"
    version = "2026-01"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    account = factory.SubFactory(AccountFactory)
    authority = factory.SubFactory(AuthorityFactory)
    subject = "Ihre Meldebescheinigung"
    body = "Guten Tag,\n\nIhre Meldebescheinigung liegt zur Abholung bereit."
    sent_at = factory.LazyFunction(now)


class MessageAttachmentFactory(factory.django.DjangoModelFactory):
    """Stores the file in the "files" storage (below MEDIA_ROOT, the test's own folder)."""

    class Meta:
        model = MessageAttachment

    message = factory.SubFactory(MessageFactory)
    file = factory.SubFactory(StoredFileFactory, name="bescheid.pdf")
    filename = "bescheid.pdf"
    size = len(PDF)


class ExternalIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalIdentity

    account = factory.SubFactory(AccountFactory)
    provider = "https://id.example.org/realms/buerger"
    subject = factory.Sequence(lambda n: f"sub-{n:06d}")


class UsedChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsedChallenge

    signature = factory.Sequence(lambda n: sha256_of(f"altcha-{n}"))
    expires_at = factory.LazyFunction(lambda: now() + datetime.timedelta(minutes=20))


class UsedSamlMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsedSamlMessage

    issuer = "https://id.example.org/saml"
    message_id = factory.Sequence(lambda n: f"assertion:_id{n:08d}")
    expires_at = factory.LazyFunction(lambda: now() + datetime.timedelta(hours=1))

"""Factories for the exchange: destinations, senders, outgoing and incoming submissions, events.

The keys are placeholders with the members a JWK has; tests of encryption and signatures make
real keys with ``rathaus.exchange.crypto.generate_key_set(2048)``."""

from __future__ import annotations

import hashlib
import uuid

import factory

from rathaus.exchange.models import (
    Destination,
    Event,
    Incoming,
    IncomingAttachment,
    Outgoing,
    OwnDestination,
    Sender,
)
from tests.factories.core import AuthorityFactory, OrgUnitFactory, StoredFileFactory, now
from tests.factories.forms import SubmissionFactory

PLACEHOLDER_KEY = {
    "kty": "RSA",
    "kid": "placeholder",
    "alg": "RSA-OAEP-256",
    "n": "AQAB",
    "e": "AQAB",
}


class DestinationFactory(factory.django.DjangoModelFactory):
    """The assembly authority of a Landkreis elsewhere."""

    class Meta:
        model = Destination

    destination_id = factory.LazyFunction(uuid.uuid4)
    name = "Landkreis Börde – Versammlungsbehörde"
    authority = factory.SubFactory(AuthorityFactory, slug=factory.Sequence(lambda n: f"lk-{n}"))
    submission_url = "http://127.0.0.1:9/api/v1/exchange"
    sender_token = "test-sender-token"
    encryption_key = factory.LazyFunction(lambda: dict(PLACEHOLDER_KEY))
    signing_keys = factory.LazyFunction(
        lambda: [{**PLACEHOLDER_KEY, "kid": "placeholder-sig", "alg": "PS512"}]
    )
    leika_keys = factory.LazyFunction(lambda: ["99089016000000"])
    areas = factory.LazyFunction(lambda: ["15083"])


class OwnDestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnDestination

    name = "Versammlungsbehörde"
    org_unit = factory.SubFactory(OrgUnitFactory)
    authority = factory.SelfAttribute("org_unit.authority")
    leika_keys = factory.LazyFunction(lambda: ["99089016000000"])
    areas = factory.LazyFunction(lambda: ["15083"])


class SenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sender

    name = "Gemeinde Barleben"
    token_sha256 = factory.Sequence(lambda n: hashlib.sha256(f"token-{n}".encode()).hexdigest())


class OutgoingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outgoing

    submission = factory.SubFactory(SubmissionFactory)
    destination = factory.SubFactory(DestinationFactory)
    created_at = factory.LazyFunction(now)


class IncomingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incoming

    destination = factory.SubFactory(OwnDestinationFactory)
    sender = factory.SubFactory(SenderFactory)
    created_at = factory.LazyFunction(now)


class IncomingAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomingAttachment

    incoming = factory.SubFactory(IncomingFactory)
    attachment_id = factory.LazyFunction(uuid.uuid4)
    file = factory.SubFactory(StoredFileFactory, name="attachment.jwe")
    uploaded_at = factory.LazyFunction(now)


class EventFactory(factory.django.DjangoModelFactory):
    """An accept event we received for an outgoing submission (the token is not a real SET)."""

    class Meta:
        model = Event

    direction = Event.Direction.RECEIVED
    outgoing = factory.SubFactory(OutgoingFactory)
    jti = factory.LazyFunction(uuid.uuid4)
    kind = "accept-submission"
    token = "header.claims.signature"
    issued_at = factory.LazyFunction(now)
    received_at = factory.LazyFunction(now)

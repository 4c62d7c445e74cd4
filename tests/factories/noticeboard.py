"""Factories for official notices and the screens of the digital notice board."""

from __future__ import annotations

import datetime as dt

import factory

from rathaus.noticeboard.models import (
    Category,
    Delivery,
    DisplayRecord,
    Notice,
    NoticeAttachment,
    Screen,
    Slot,
    Subscription,
)
from tests.factories.core import StoredFileFactory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class NoticeFactory(factory.django.DjangoModelFactory):
    """A general notice on display since yesterday for two weeks."""

    class Meta:
        model = Notice

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    title = factory.Sequence(lambda n: f"Bekanntmachung {n}")
    category = Category.GENERAL
    summary = "Die Gemeinde gibt bekannt, wann das Rathaus geschlossen ist."
    text = "Das Rathaus bleibt am 24. und 31. Dezember geschlossen."
    signed_place = "Barleben"
    signed_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=2))
    signed_by = "Der Bürgermeister"
    display_from = factory.LazyFunction(lambda: _now() - dt.timedelta(days=1))
    display_until = factory.LazyFunction(lambda: _now() + dt.timedelta(days=14))
    status = Notice.Status.ON_DISPLAY
    put_up_at = factory.LazyAttribute(lambda o: o.display_from)


class NoticeAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoticeAttachment

    notice = factory.SubFactory(NoticeFactory)
    title = "Satzung im Wortlaut"
    file = factory.SubFactory(StoredFileFactory)


class DisplayRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisplayRecord

    notice = factory.SubFactory(NoticeFactory)
    event = DisplayRecord.Event.PUT_UP
    at = factory.LazyAttribute(lambda o: o.notice.display_from)
    content_sha256 = "0" * 64
    by = "worker"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    email = factory.Sequence(lambda n: f"leser{n}@example.org")
    category = Category.GENERAL
    confirmed_at = factory.LazyFunction(_now)


class ScreenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screen

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    slug = factory.Sequence(lambda n: f"foyer-{n}")
    name = factory.Sequence(lambda n: f"Rathaus Foyer {n}")
    place = "Rathaus, Eingangshalle"


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    screen = factory.SubFactory(ScreenFactory)
    source = "noticeboard.notices"
    seconds = 15
    position = factory.Sequence(lambda n: n)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    notice = factory.SubFactory(NoticeFactory)
    subscription = factory.SubFactory(
        SubscriptionFactory, authority=factory.SelfAttribute("..notice.authority")
    )

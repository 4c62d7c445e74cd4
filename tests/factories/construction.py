"""Factories for construction sites, disruptions and construction projects."""

from __future__ import annotations

import datetime as dt
import io

import factory
from PIL import Image

from rathaus.construction.models import (
    Disruption,
    DisruptionDocument,
    Project,
    ProjectPhase,
    ProjectPicture,
    Publication,
)
from tests.factories.core import StoredFileFactory

# Barleben, Breiteweg (longitude, latitude as GeoJSON has them)
BREITEWEG = [11.6219, 52.2009]


class DisruptionFactory(factory.django.DjangoModelFactory):
    """A published closure in Barleben that started yesterday and ends in two weeks."""

    class Meta:
        model = Disruption

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    title = factory.Sequence(lambda n: f"Vollsperrung Breiteweg {n}")
    kind = Disruption.Kind.CLOSURE
    description = "Erneuerung der Trinkwasserleitung."
    geometry = factory.LazyFunction(lambda: {"type": "Point", "coordinates": list(BREITEWEG)})
    streets = factory.LazyFunction(lambda: ["Breiteweg"])
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=1))
    ends_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=14))
    responsible_body = "Wasserverband Haldensleben"
    detour = "Über die Magdeburger Straße."
    status = Publication.PUBLISHED
    published_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class DisruptionDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisruptionDocument

    disruption = factory.SubFactory(DisruptionFactory)
    title = "Verkehrsrechtliche Anordnung"
    file = factory.SubFactory(StoredFileFactory, name="anordnung.pdf")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    slug = factory.Sequence(lambda n: f"bauvorhaben-{n}")
    title = factory.Sequence(lambda n: f"Anbau Grundschule {n}")
    summary = "Vier neue Klassenräume und ein barrierefreier Eingang."
    state = Project.State.UNDER_CONSTRUCTION
    budget_cents = 2_450_000_00
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=90))
    ends_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=300))
    status = Publication.PUBLISHED


class ProjectPhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPhase

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Bauabschnitt {n}")
    state = ProjectPhase.State.IN_PROGRESS
    position = factory.Sequence(lambda n: n)


def png() -> bytes:
    """A real (small) PNG picture of a construction site's colours."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (230, 120, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


class ProjectPictureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPicture

    project = factory.SubFactory(ProjectFactory)
    file = factory.SubFactory(
        StoredFileFactory,
        name="baustelle.png",
        media_type="image/png",
        content=factory.LazyFunction(png),
    )
    alt_text = "Rohbau des Anbaus mit Gerüst"
    caption = "Rohbau im Herbst"

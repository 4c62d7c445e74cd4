"""Factories for open data: a station with its location, sensor, property, series and values."""

from __future__ import annotations

import hashlib
import uuid

import factory

from rathaus.opendata.catalogue_models import Frequency
from rathaus.opendata.models import (
    Aggregate,
    Alert,
    AlertSubscription,
    Dataset,
    Datastream,
    DeadLetter,
    Distribution,
    FeatureOfInterest,
    HistoricalLocation,
    LatestObservation,
    Location,
    MultiDatastream,
    MultiDatastreamProperty,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
    Threshold,
    Topic,
)
from tests.factories.core import now

MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
COMPLEX = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_ComplexObservation"
# Barleben, Breiteweg (longitude, latitude)
BARLEBEN = (11.6219, 52.2009)


class ThingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thing

    name = factory.Sequence(lambda n: f"Messstation {n}")
    description = "Luftmessstation am Breiteweg"
    properties = factory.LazyFunction(lambda: {"operator": "Gemeinde Barleben"})


class StaLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Standort {n}")
    description = "Breiteweg, Barleben"
    encoding_type = "application/geo+json"
    location = factory.LazyFunction(lambda: {"type": "Point", "coordinates": list(BARLEBEN)})
    longitude = BARLEBEN[0]
    latitude = BARLEBEN[1]


class HistoricalLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HistoricalLocation

    thing = factory.SubFactory(ThingFactory)
    time = factory.LazyFunction(now)


class SensorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sensor

    name = factory.Sequence(lambda n: f"Feinstaubsensor {n}")
    description = "Optischer Feinstaubsensor"
    encoding_type = "application/pdf"
    metadata = "https://example.org/datenblatt.pdf"


class ObservedPropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObservedProperty

    name = "PM10"
    definition = "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/5"
    description = "Feinstaub bis 10 µm"


class DatastreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Datastream

    name = factory.Sequence(lambda n: f"PM10 Station {n}")
    description = "Stundenmittel PM10"
    observation_type = MEASUREMENT
    unit_of_measurement = factory.LazyFunction(
        lambda: {
            "name": "Mikrogramm pro Kubikmeter",
            "symbol": "µg/m³",
            "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#MicrogramPerCubicMeter",
        }
    )
    thing = factory.SubFactory(ThingFactory)
    sensor = factory.SubFactory(SensorFactory)
    observed_property = factory.SubFactory(ObservedPropertyFactory)
    topic = Topic.AIR


class MultiDatastreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MultiDatastream

    name = factory.Sequence(lambda n: f"Wetter {n}")
    description = "Temperatur und Luftfeuchte"
    observation_type = COMPLEX
    multi_observation_data_types = factory.LazyFunction(lambda: [MEASUREMENT, MEASUREMENT])
    unit_of_measurements = factory.LazyFunction(
        lambda: [
            {"name": "Grad Celsius", "symbol": "°C", "definition": "ucum:Cel"},
            {"name": "Prozent", "symbol": "%", "definition": "ucum:%"},
        ]
    )
    thing = factory.SubFactory(ThingFactory)
    sensor = factory.SubFactory(SensorFactory)


class MultiDatastreamPropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MultiDatastreamProperty

    multi_datastream = factory.SubFactory(MultiDatastreamFactory)
    observed_property = factory.SubFactory(ObservedPropertyFactory)
    position = 0


class FeatureOfInterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeatureOfInterest

    name = factory.Sequence(lambda n: f"Messpunkt {n}")
    description = "Luft am Breiteweg"
    encoding_type = "application/geo+json"
    feature = factory.LazyFunction(lambda: {"type": "Point", "coordinates": list(BARLEBEN)})
    longitude = BARLEBEN[0]
    latitude = BARLEBEN[1]


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    datastream = factory.SubFactory(DatastreamFactory)
    phenomenon_time_start = factory.LazyFunction(now)
    result_time = factory.LazyFunction(now)
    result_number = 21.5


class LatestObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LatestObservation

    datastream = factory.SubFactory(DatastreamFactory)
    observation_id = 1
    phenomenon_time = factory.LazyFunction(now)
    result_number = 21.5


class AggregateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aggregate

    datastream = factory.SubFactory(DatastreamFactory)
    period = Aggregate.Period.HOUR
    start = factory.LazyFunction(lambda: now().replace(minute=0, second=0, microsecond=0))
    count = 4
    minimum = 18.0
    maximum = 26.0
    total = 88.0


class ThresholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Threshold

    datastream = factory.SubFactory(DatastreamFactory)
    name = "PM10 über dem Tagesgrenzwert"
    direction = Threshold.Direction.ABOVE
    value = 50.0
    minutes = 60


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    threshold = factory.SubFactory(ThresholdFactory)
    started_at = factory.LazyFunction(now)
    peak = 62.0
    last_value = 58.0


class AlertSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertSubscription

    email = factory.Sequence(lambda n: f"abo{n}@example.org")
    topic = Topic.AIR
    token_hash = factory.LazyFunction(lambda: hashlib.sha256(uuid.uuid4().bytes).hexdigest())
    created_at = factory.LazyFunction(now)
    confirmed_at = factory.LazyFunction(now)


class MqttDeadLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeadLetter

    topic = "v1.1/Datastreams(999)/Observations"
    payload = '{"result": 1}'
    error = "there is no Datastream(999)"
    received_at = factory.LazyFunction(now)


class DatasetFactory(factory.django.DjangoModelFactory):
    """A published dataset of the open data catalogue with a licence and a contact point."""

    class Meta:
        model = Dataset

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    slug = factory.Sequence(lambda n: f"datensatz-{n}")
    title = factory.Sequence(lambda n: f"Grundwasserstände Messstelle {n}")
    description = "Tägliche Grundwasserstände der Messstelle am Mittellandkanal."
    keywords = factory.LazyFunction(lambda: ["Grundwasser", "Umwelt"])
    themes = factory.LazyFunction(lambda: ["ENVI"])
    contact_name = "Bauamt"
    contact_email = "bauamt@example.org"
    accrual_periodicity = Frequency.DAILY
    status = Dataset.Status.PUBLISHED
    issued = factory.LazyFunction(now)
    modified = factory.LazyFunction(now)


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    dataset = factory.SubFactory(DatasetFactory)
    title = "CSV-Datei"
    access_url = factory.Sequence(lambda n: f"https://daten.example.org/datensatz-{n}.csv")
    download_url = factory.LazyAttribute(lambda o: o.access_url)
    media_type = "text/csv"
    format = "CSV"

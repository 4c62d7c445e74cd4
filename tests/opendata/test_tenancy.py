"""Several authorities on one installation: a writer of the SensorThings API writes only their
own authority's Things and what belongs to them; alert subscriptions and staff pages keep to
their portal's or staff member's authority."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core import api_tokens, roles
from rathaus.core.models import OutgoingEmail
from rathaus.opendata import subscriptions
from rathaus.opendata.models import AlertSubscription, Observation, Sensor, Thing, Threshold
from tests.factories import PASSWORD, DatastreamFactory, ThingFactory
from tests.factories.core import (
    AuthorityFactory,
    AuthorityHostFactory,
    MembershipFactory,
    OrgUnitFactory,
    UserFactory,
)
from tests.factories.opendata import AlertFactory, ThresholdFactory
from tests.support import StaWriter, clerk_of, log_in

pytestmark = pytest.mark.django_db

THRESHOLDS = "/verwaltung/sensordaten/schwellenwerte/"


def _writer_for(*authorities, role: str = roles.SENSOR_DATA, **user) -> StaWriter:
    person = UserFactory(is_staff=True, **user)
    for authority in authorities:
        MembershipFactory(user=person, role=roles.role(role),
                          org_unit=OrgUnitFactory(authority=authority))  # fmt: skip
    return StaWriter(api_tokens.create(person, "Sensoren", 30).key)


@pytest.fixture
def towns():
    return AuthorityFactory(slug="stadt-a"), AuthorityFactory(slug="stadt-b")


def test_a_thing_created_through_the_api_belongs_to_the_writers_authority(towns):
    a, _b = towns
    response = _writer_for(a).post("Things", {"name": "Pegel Ohre", "description": ""})
    assert response.status_code == 201, response.json()
    assert Thing.objects.get(name="Pegel Ohre").authority == a


def test_another_authoritys_thing_and_its_observations_cannot_be_written(towns):
    a, b = towns
    stream = DatastreamFactory(thing=ThingFactory(authority=b))
    writer = _writer_for(a, role=roles.ADMINISTRATOR)
    assert writer.patch(f"Things({stream.thing_id})", {"name": "Übernommen"}).status_code == 403
    assert writer.send("DELETE", f"Datastreams({stream.pk})").status_code == 403
    posted = writer.post(f"Datastreams({stream.pk})/Observations",
                         {"result": 1.0, "phenomenonTime": "2026-01-01T00:00:00Z",
                          "FeatureOfInterest": {"name": "x", "encodingType": "application/geo+json",
                                                "feature": {"type": "Point",
                                                            "coordinates": [11.5, 52.2]}}})  # fmt: skip
    assert posted.status_code == 403
    linked = writer.post("Observations", {"result": 1.0, "Datastream": {"@iot.id": stream.pk}})
    assert linked.status_code == 403
    bulk = writer.post("CreateObservations", [{"Datastream": {"@iot.id": stream.pk},
                       "components": ["phenomenonTime", "result"],
                       "dataArray": [["2026-01-01T00:00:00Z", 1.0]]}])  # fmt: skip
    assert bulk.status_code == 403
    assert not Observation.objects.exists()
    assert Thing.objects.get(pk=stream.thing_id).name != "Übernommen"
    mine = writer.post("Things", {"name": "Meins", "description": ""})
    assert mine.status_code == 201
    stolen = writer.post("Datastreams", {"name": "x", "description": "",
                         "observationType": stream.observation_type,
                         "unitOfMeasurement": stream.unit_of_measurement,
                         "Thing": {"@iot.id": stream.thing_id},
                         "Sensor": {"@iot.id": stream.sensor_id},
                         "ObservedProperty": {"@iot.id": stream.observed_property_id}})  # fmt: skip
    assert stolen.status_code == 403


def test_own_authoritys_thing_and_shared_entities_can_be_written(towns):
    a, _b = towns
    stream = DatastreamFactory(thing=ThingFactory(authority=a))
    writer = _writer_for(a)
    assert writer.patch(f"Things({stream.thing_id})", {"name": "Neu"}).status_code == 200
    assert writer.patch(f"Sensors({stream.sensor_id})", {"name": "Geteilt"}).status_code == 200
    assert Sensor.objects.get(pk=stream.sensor_id).name == "Geteilt"


def test_a_writer_of_several_authorities_names_the_things_authority(towns):
    a, b = towns
    writer = _writer_for(a, b)
    refused = writer.post("Things", {"name": "Ohne Angabe", "description": ""})
    assert refused.status_code == 400
    assert "properties" in refused.json()["message"]
    named = writer.post(
        "Things", {"name": "Mit Angabe", "description": "", "properties": {"authority": "stadt-b"}}
    )
    assert named.status_code == 201
    assert Thing.objects.get(name="Mit Angabe").authority == b
    other = AuthorityFactory(slug="stadt-c")
    foreign = writer.post(
        "Things", {"name": "Fremd", "description": "", "properties": {"authority": other.slug}}
    )
    assert foreign.status_code == 403
    assert not Thing.objects.filter(name__in=["Ohne Angabe", "Fremd"]).exists()


def test_a_superuser_writes_every_authoritys_things(towns):
    _a, b = towns
    thing = ThingFactory(authority=b)
    writer = _writer_for(is_superuser=True)
    assert writer.patch(f"Things({thing.pk})", {"name": "Geprüft"}).status_code == 200


def test_a_subscription_belongs_to_its_portal_and_gets_only_that_portals_alerts(towns):
    a, b = towns
    AuthorityHostFactory(authority=b, hostname="b.localhost")
    Client(HTTP_HOST="b.localhost").post("/daten/warnungen/",
                                         {"email": "b@example.org", "topic": ""})  # fmt: skip
    on_b = AlertSubscription.objects.get(email="b@example.org")
    assert on_b.authority == b
    old = AlertSubscription.objects.create(email="alt@example.org", token_hash="x" * 64,
                                           created_at=timezone.now())  # fmt: skip
    AlertSubscription.objects.filter(pk__in=[on_b.pk, old.pk]).update(confirmed_at=timezone.now())
    OutgoingEmail.objects.all().delete()

    alert_of_a = AlertFactory(threshold__datastream__thing=ThingFactory(authority=a))
    assert subscriptions.notify(alert_of_a, raised=True) == 1
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["alt@example.org"]
    alert_of_b = AlertFactory(threshold__datastream__thing=ThingFactory(authority=b))
    shared = AlertFactory(threshold__datastream__thing=ThingFactory(authority=None))
    assert subscriptions.notify(alert_of_b, raised=True) == 2
    assert subscriptions.notify(shared, raised=True) == 2


def test_an_administrator_keeps_only_thresholds_of_their_authoritys_things(towns):
    a, b = towns
    admin = clerk_of(OrgUnitFactory(authority=a), "admin-a", is_staff=True)
    MembershipFactory(user=admin, role=roles.role(roles.ADMINISTRATOR),
                      org_unit=OrgUnitFactory(authority=a))  # fmt: skip
    own = ThresholdFactory(name="Eigener Grenzwert",
                           datastream__thing=ThingFactory(authority=a))  # fmt: skip
    foreign = ThresholdFactory(name="Fremder Grenzwert",
                               datastream__thing=ThingFactory(authority=b, name="Fremdstation"))  # fmt: skip
    client = log_in(Client(), "admin-a", PASSWORD)
    listing = client.get(THRESHOLDS).content.decode()
    assert "Eigener Grenzwert" in listing
    assert "Fremder Grenzwert" not in listing
    assert client.get(f"{THRESHOLDS}{own.pk}/").status_code == 200
    assert client.get(f"{THRESHOLDS}{foreign.pk}/").status_code == 404
    assert "Fremdstation" not in client.get(f"{THRESHOLDS}neu/").content.decode()
    smuggled = client.post(f"{THRESHOLDS}neu/", {"datastream": foreign.datastream_id,
                           "name": "Untergeschoben", "direction": "above", "value": "1",
                           "minutes": "0"})  # fmt: skip
    assert smuggled.status_code == 422
    assert not Threshold.objects.filter(name="Untergeschoben").exists()

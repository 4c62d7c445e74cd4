"""Which destination receives a submission (LeiKa key × ARS), a remote's Routing API and
``rathaus exchange-destination`` (ADR 0053)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from rathaus.exchange import routing
from rathaus.exchange.models import Destination
from tests.factories import AuthorityFactory, DestinationFactory

pytest_plugins = ["tests.factories.exchange_sending"]  # the fake receiver

VERSAMMLUNG = "99089016000000"
BARLEBEN = "150835000000"  # hypothetical ARS in the Landkreis Börde (15083)


@pytest.fixture
def destinations(db):
    return {
        "kreis": DestinationFactory(name="Kreis", areas=["15083"]),
        "land": DestinationFactory(name="Land", areas=["15"]),
        "gemeinde": DestinationFactory(name="Gemeinde", areas=["150835"]),
        "other service": DestinationFactory(
            name="Andere", areas=["150835000000"], leika_keys=["99115003012000"]
        ),
    }


def test_the_most_specific_area_wins(destinations):
    assert routing.find(VERSAMMLUNG, [BARLEBEN]) == destinations["gemeinde"]
    assert routing.find(VERSAMMLUNG, ["150830000000"]) == destinations["kreis"]
    assert routing.find(VERSAMMLUNG, ["151000000000"]) == destinations["land"]
    assert routing.find(VERSAMMLUNG, ["010000000000"]) is None
    assert routing.find("99115003012000", [BARLEBEN]) == destinations["other service"]


def test_inactive_destinations_never_match(destinations):
    Destination.objects.filter(name__in=["Gemeinde", "Kreis"]).update(active=False)
    assert routing.find(VERSAMMLUNG, [BARLEBEN]) == destinations["land"]
    Destination.objects.update(active=False)
    assert routing.find(VERSAMMLUNG, [BARLEBEN]) is None


def test_without_service_or_area_nothing_matches(destinations):
    assert routing.find("", [BARLEBEN]) is None
    assert routing.find(VERSAMMLUNG, []) is None


def test_a_submission_without_a_service_falls_back_to_the_routed_authority(destinations):
    from tests.factories import SubmissionFactory

    submission = SubmissionFactory()
    target = destinations["land"].authority
    assert routing.destination_for(submission) is None
    assert routing.destination_for(submission, target=target) == destinations["land"]


def test_remote_routes_are_verified_with_the_remotes_signature_key(receiver):
    (route,) = routing.remote_routes(receiver.url, VERSAMMLUNG, BARLEBEN)
    assert route.destination_id == receiver.destination_id
    assert route.name == "Versammlungsbehörde"


def test_a_route_signed_for_another_destination_is_refused(receiver):
    receiver.route_tamper = True
    with pytest.raises(routing.RoutingError, match="another destination"):
        routing.remote_routes(receiver.url, VERSAMMLUNG, BARLEBEN)


def test_the_command_adds_a_destination_with_the_remotes_keys(receiver, db, capsys):
    landkreis = AuthorityFactory(slug="landkreis-boerde", name="Landkreis Börde")
    call_command(
        "exchange_destination", "add", "--url", receiver.url,
        "--destination-id", receiver.destination_id, "--authority", "landkreis-boerde",
        "--token", "test-sender-token", "--ars", "15083",
    )  # fmt: skip
    destination = Destination.objects.get(destination_id=receiver.destination_id)
    assert destination.authority == landkreis
    assert destination.encryption_key == receiver.encryption_key()
    assert destination.signing_keys == [receiver.signature_key()]
    assert destination.leika_keys == [VERSAMMLUNG]
    assert destination.areas == ["15083"]
    assert "added" in capsys.readouterr().out
    call_command("exchange_destination", "list")
    assert receiver.destination_id in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--destination-id": "keine-uuid"}, "UUID"),
        ({"--authority": "gibt-es-nicht"}, "no authority"),
        ({"--ars": "15x"}, "ARS"),
        ({"--destination-id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301"}, "could not be asked"),
    ],
)
def test_the_command_refuses_bad_input_with_a_clear_message(receiver, db, change, message):
    AuthorityFactory(slug="landkreis-boerde")
    options = {
        "--url": receiver.url, "--destination-id": receiver.destination_id,
        "--authority": "landkreis-boerde", "--token": "test-sender-token", "--ars": "15083",
    }  # fmt: skip
    options.update(change)
    arguments = [item for pair in options.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("exchange_destination", "add", *arguments)
    assert not Destination.objects.exists()

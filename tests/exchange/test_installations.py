"""The two-installation set-up itself: two servers that answer, each with its own data."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.database  # each installation has a database of its own on PostgreSQL

COUNTS = (
    "from rathaus.core.models import Authority, OrgUnit\n"
    "from rathaus.exchange.models import Destination, OwnDestination, Sender\n"
    "from django.conf import settings\n"
    "result = {'units': sorted(OrgUnit.objects.values_list('slug', flat=True)),\n"
    "          'destinations': Destination.objects.count(),\n"
    "          'own': OwnDestination.objects.count(), 'senders': Sender.objects.count(),\n"
    "          'database': str(settings.DATABASES['default']['NAME']),\n"
    "          'keys': settings.RATHAUS_EXCHANGE_KEY_FILE}"
)


def test_both_servers_answer_with_their_own_authority(installations):
    for installation, name in ((installations.sender, "Gemeinde Barleben"),
                               (installations.receiver, "Landkreis Börde")):  # fmt: skip
        page = installation.browser().get("/")
        assert page.status == 200
        assert name in page.text
        assert installation.browser().get("/health").status == 200
    assert installations.sender.port != installations.receiver.port


def test_each_installation_has_its_own_database_keys_and_data(installations):
    sender = installations.sender.django(COUNTS)
    receiver = installations.receiver.django(COUNTS)
    assert sender["database"] != receiver["database"]
    assert sender["keys"] != receiver["keys"]
    # Routing at Barleben finds no unit of the Landkreis: submissions for it go to the outbox.
    assert sender["units"] == ["ordnungsamt"]
    assert (sender["destinations"], sender["own"], sender["senders"]) == (1, 0, 0)
    assert receiver["units"] == ["versammlungsbehoerde"]
    assert (receiver["destinations"], receiver["own"], receiver["senders"]) == (0, 1, 1)


def test_the_form_for_the_service_is_published_on_both(installations):
    for installation in installations.installations:
        form = installation.browser().get(f"/api/v1/forms/{installations.form_slug}")
        assert form.status == 200, form.text
        assert form.json()["data_schema"]["required"] == ["topic", "date", "organiser", "address"]

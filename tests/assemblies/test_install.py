"""Installing the notice for an authority (command and demo), and its stable address
``/antrag/versammlungsanzeige/`` on the portal of the Landkreis and on Barleben's."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from rathaus.assemblies import install
from rathaus.core.models import Authority, AuthorityHost
from rathaus.forms.models import FormDefinition
from rathaus.processes.models import ProcessModel

pytestmark = pytest.mark.django_db


def test_the_demo_installs_the_form_for_the_landkreis_and_links_its_offer(barleben) -> None:
    landkreis = Authority.objects.get(slug="landkreis-boerde")
    form = install.notice_form(landkreis)
    assert form is not None
    assert form.offer is not None
    assert form.offer.service.leika_key == install.LEIKA_KEY
    assert form.offer.org_unit.slug == "versammlungsbehoerde"
    assert ProcessModel.objects.get(form=form).slug == "landkreis-boerde-versammlung"
    assert install.notice_form(barleben) is None  # Barleben only leads to it


def test_the_command_is_idempotent(barleben, capsys) -> None:
    call_command("install_assemblies", "--authority", "landkreis-boerde")
    out = capsys.readouterr().out
    assert "Notice form versammlungsanzeige: unchanged" in out
    assert "Process model: unchanged" in out
    assert "Linked to the offer" in out
    form = FormDefinition.objects.get(authority__slug="landkreis-boerde", slug=install.FORM_SLUG)
    assert form.versions.count() == 1
    assert ProcessModel.objects.get(form=form).versions.count() == 1


def test_the_command_installs_for_an_authority_without_offer(db, capsys) -> None:
    from tests.support import make_authority

    authority = make_authority("anderswo")
    call_command("install_assemblies", "--authority", "anderswo")
    out = capsys.readouterr().out
    assert "Notice form versammlungsanzeige: created" in out
    assert "Process model: created" in out
    assert "has no catalogue offer" in out
    assert install.notice_form(authority) is not None


def test_the_command_names_an_unknown_authority(db) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no authority 'nirgendwo'"):
        call_command("install_assemblies", "--authority", "nirgendwo")


def test_on_the_landkreis_portal_the_address_is_the_form(barleben) -> None:
    from tests.support import citizen_client

    anonymous = Client(HTTP_HOST="boerde.localhost").get("/antrag/versammlungsanzeige/")
    assert anonymous.status_code == 302  # the form asks for a login, and comes back here
    assert anonymous["Location"] == "/konto/anmelden/?next=%2Fantrag%2Fversammlungsanzeige%2F"
    page = citizen_client().get("/antrag/versammlungsanzeige/", HTTP_HOST="boerde.localhost")
    assert page.status_code == 200
    assert "Versammlung anmelden (Versammlungsanzeige)" in page.content.decode()


def test_on_barlebens_portal_the_address_leads_to_the_landkreis_form(barleben, settings) -> None:
    settings.RATHAUS_PUBLIC_URL = "http://barleben.localhost:8000"
    response = Client(HTTP_HOST="barleben.localhost:8000").get("/antrag/versammlungsanzeige/")
    assert response.status_code == 302
    assert response["Location"] == "http://boerde.localhost:8000/antrag/versammlungsanzeige/"


def test_without_a_host_of_its_own_the_page_links_to_the_form(barleben) -> None:
    AuthorityHost.objects.filter(authority__slug="landkreis-boerde").delete()
    page = Client().get("/antrag/versammlungsanzeige/")  # testserver: the default, Barleben
    assert page.status_code == 200
    text = page.content.decode()
    assert "Versammlungsbehörde zuständig: Landkreis Börde" in text
    assert 'href="http://testserver/antrag/versammlungsanzeige/"' in text


def test_a_portal_without_a_responsible_form_says_so(db) -> None:
    from tests.support import make_authority

    make_authority("allein")
    response = Client().get("/antrag/versammlungsanzeige/")
    assert response.status_code in (404, 503)


def test_a_demo_installation_has_the_notices_and_the_test_demo_not(barleben, settings) -> None:
    from rathaus.assemblies import demo
    from rathaus.core.demo import Tally
    from rathaus.forms.models import Submission

    notices = Submission.objects.filter(idempotency_key__startswith="demo:versammlung:")
    assert not notices.exists()
    settings.RATHAUS_DEMO = True
    tally = Tally()
    demo.load(tally)
    demo.load(tally)
    assert tally["Submission: created"] == 2
    assert tally["Submission: unchanged"] == 2
    assert notices.count() == 2

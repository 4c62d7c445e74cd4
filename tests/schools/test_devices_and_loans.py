"""Staff of the role "Schul-IT" keep the schools' devices (/verwaltung/schulen/): the dashboard
of a school, adding and changing a device, lending it to a pupil with the loan agreement as a
tagged PDF, the return; a device lent already is refused; other roles get a 403."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from rathaus.core.models import AuditEvent
from rathaus.schools.models import Device, Loan
from tests.factories.schools import (
    DeviceFactory,
    LoanFactory,
    RoomFactory,
    SchoolFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
LIST = "/verwaltung/schulen/"


def device_form(**changes) -> dict[str, str]:
    data = {
        "kind": "display",
        "model_name": "Interaktives Display 86″",
        "inventory_number": "GS-DISP-01",
        "serial": "SN-86-0001",
        "purchase_date": "2021-05-10",
        "price": "4.899,00",
        "funding_source": "DigitalPakt Schule",
        "warranty_end": "2026-05-10",
        "managed_by": "town",
        "state": "in_use",
        "room": "",
        "school_class": "",
        "person": "",
        "notes": "",
    }
    data.update(changes)
    return data


def test_a_keeper_sees_the_schools_and_the_dashboard_of_one(keeper, school):
    soon = timezone.localdate() + dt.timedelta(days=30)
    DeviceFactory(school=school, warranty_end=soon, inventory_number="GS-IPAD-07")
    DeviceFactory(school=school, state=Device.State.IN_REPAIR)
    DeviceFactory(school=school, warranty_end=soon + dt.timedelta(days=200))
    late = SupportRequestFactory(
        school=school, priority="urgent", created_at=timezone.now() - dt.timedelta(hours=5)
    )
    SupportRequestFactory(school=school, status="done")
    other = SchoolFactory(name="Fremde Schule")  # another authority
    assert f'href="{LIST}"' in keeper.get("/verwaltung/").content.decode()
    html = keeper.get(LIST).content.decode()
    assert "Grundschule Barleben" in html
    assert "Fremde Schule" not in html
    html = keeper.get(f"{LIST}{school.pk}/").content.decode()
    assert "GS-IPAD-07" in html  # warranty ends within 90 days
    assert html.count('href="/verwaltung/schulen/geraete/') == 1
    assert f"#{late.pk}" in html
    assert "(verpasst)" in html
    assert "1 Anfrage hat ihr Reaktionsziel überschritten." in html
    assert keeper.get(f"{LIST}{other.pk}/").status_code == 404


def test_a_keeper_adds_and_changes_a_device_in_cents(keeper, school):
    room = RoomFactory(school=school, name="Raum 12")
    response = keeper.post(f"{LIST}{school.pk}/geraete/neu/", device_form(room=str(room.pk)))
    assert response.status_code == 302
    device = Device.objects.get()
    assert (device.price_cents, device.room, device.kind) == (489900, room, "display")
    page = keeper.get(response["Location"]).content.decode()
    assert "GS-DISP-01" in page
    assert "4899,00" in page
    response = keeper.post(
        f"/verwaltung/schulen/geraete/{device.pk}/",
        device_form(state="in_repair", room=str(room.pk)),
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.state == "in_repair"
    assert AuditEvent.objects.filter(action="schools.device.changed").exists()


def test_bad_device_input_is_answered_next_to_the_field(keeper, school):
    DeviceFactory(school=school, serial="SN-86-0001")
    response = keeper.post(
        f"{LIST}{school.pk}/geraete/neu/", device_form(warranty_end="2020-01-01", price="-3")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ein Gerät dieser Schule hat diese Seriennummer." in html
    assert "Die Gewährleistung kann nicht vor dem Kauf enden." in html
    assert Device.objects.count() == 1


def test_a_device_is_lent_with_an_agreement_and_returned(keeper, school):
    device = DeviceFactory(school=school, inventory_number="GS-IPAD-01")
    url = f"/verwaltung/schulen/geraete/{device.pk}/ausleihen/"
    response = keeper.post(
        url,
        {
            "pupil": "Ben Beispiel",
            "school_class": "3b",
            "guardian": "Berta Beispiel",
            "due_on": "2027-07-01",
        },
    )
    assert response.status_code == 302
    loan = Loan.objects.get()
    device.refresh_from_db()
    assert device.state == Device.State.LENT
    assert loan.returned_at is None
    pdf = keeper.get(f"/verwaltung/schulen/ausleihen/{loan.pk}/leihvertrag.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = reader.pages[0].extract_text()
    assert "Leihvertrag" in text
    assert "Ben Beispiel" in text
    assert "GS-IPAD-01" in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    # a second loan of the lent device is refused, with the reason on the page
    again = keeper.post(url, {"pupil": "Clara", "school_class": "4a", "guardian": "C."})
    assert again.status_code == 409
    assert "Dieses Gerät ist schon verliehen." in again.content.decode()
    assert Loan.objects.count() == 1
    response = keeper.post(
        f"/verwaltung/schulen/ausleihen/{loan.pk}/rueckgabe/", {"note": "Kratzer am Rand"}
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    device.refresh_from_db()
    assert loan.returned_at is not None
    assert loan.return_note == "Kratzer am Rand"
    assert device.state == Device.State.IN_USE


def test_a_lent_device_cannot_be_set_to_in_use_by_hand(keeper, school):
    loan = LoanFactory(device__school=school)
    response = keeper.post(
        f"/verwaltung/schulen/geraete/{loan.device.pk}/",
        device_form(
            state="in_use", inventory_number=loan.device.inventory_number, serial=loan.device.serial
        ),
    )
    assert "Das Gerät ist verliehen. Erfassen Sie zuerst die Rückgabe." in response.content.decode()
    loan.device.refresh_from_db()
    assert loan.device.state == Device.State.LENT


def test_only_the_role_schul_it_or_administrators_open_the_pages(town, school, make_keeper):
    device = DeviceFactory(school=school)
    other = make_keeper(town, "meldeamt", role="Sachbearbeitung")
    assert other.get(LIST).status_code == 403
    assert other.get(f"/verwaltung/schulen/geraete/{device.pk}/").status_code == 403
    assert f'href="{LIST}"' not in other.get("/verwaltung/").content.decode()
    assert Client().get(LIST).status_code == 302

"""The label sheet (a PDF with a QR code per device that opens the device's staff page), the
staff API of devices and requests (personal API keys, only the schools the holder keeps) and
the demo data of Barleben."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from rathaus.core import api_tokens
from rathaus.schools import demo
from rathaus.schools.models import Device, Loan, School, SupportRequest, Teacher
from rathaus.schools.staff_more import qr_code
from tests.factories.schools import DeviceFactory, SchoolFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db


def test_the_label_sheet_has_a_qr_code_per_device_that_opens_its_page(keeper, school):
    first = DeviceFactory(school=school, inventory_number="GS-IPAD-01")
    DeviceFactory(school=school, inventory_number="GS-IPAD-02")
    DeviceFactory(school=school, inventory_number="GS-ALT-01", state=Device.State.RETIRED)
    response = keeper.get(f"/verwaltung/schulen/{school.pk}/etiketten.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "GS-IPAD-01" in text
    assert "GS-IPAD-02" in text
    assert "GS-ALT-01" not in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2
    # the first QR code is the address of the first device's staff page
    expected = qr_code(f"http://testserver/verwaltung/schulen/geraete/{first.pk}/")
    drawn = Image.open(io.BytesIO(base64.b64decode(expected.split(",", 1)[1])))
    shown = [image.image for image in images]
    assert any(
        list(img.convert("1").getdata()) == list(drawn.convert("1").getdata()) for img in shown
    )
    assert keeper.get(f"/verwaltung/schulen/geraete/{first.pk}/").status_code == 200


def api(client: Client, user, path: str, body=None):
    key = api_tokens.create(user, "Schul-IT", 30).key
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if body is None:
        return client.get(f"/api/v1/schools{path}", **headers)
    return client.post(
        f"/api/v1/schools{path}", json.dumps(body), content_type="application/json", **headers
    )


def test_the_api_lists_devices_and_requests_of_the_kept_schools_and_changes_a_request(
    keeper, school
):
    user = get_user_model().objects.get(username="schulit")
    DeviceFactory(school=school, inventory_number="GS-1", price_cents=39900)
    DeviceFactory(school=SchoolFactory(), inventory_number="FREMD-1")
    found = SupportRequestFactory(school=school)
    client = Client()
    devices = api(client, user, "/devices").json()
    assert [d["inventory_number"] for d in devices] == ["GS-1"]
    assert devices[0]["price_cents"] == 39900
    requests = api(client, user, "/requests?open=true").json()
    assert [r["id"] for r in requests] == [found.pk]
    changed = api(
        client,
        user,
        f"/requests/{found.pk}",
        {"status": "done", "priority": "low", "note": "erledigt"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "done"
    other = SupportRequestFactory(school=SchoolFactory())
    assert (
        api(
            client, user, f"/requests/{other.pk}", {"status": "done", "priority": "low"}
        ).status_code
        == 404
    )
    assert Client().get("/api/v1/schools/devices").status_code == 401
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/schools/devices" in schema["paths"]
    assert "/api/v1/schools/requests" in schema["paths"]


def test_the_demo_data_has_two_schools_forty_devices_a_loan_and_three_requests(barleben):
    from rathaus.core.demo import Tally

    again = Tally()
    demo.load(again)
    assert not again["Device: created"]
    assert School.objects.count() == 2
    assert 36 <= Device.objects.count() <= 44
    assert Loan.objects.filter(returned_at__isnull=True).count() == 1
    assert SupportRequest.objects.count() == 3
    teacher = Teacher.objects.get(user__username=demo.DEMO_TEACHER)
    assert (
        Client()
        .post("/schule/anmelden/", {"email": demo.DEMO_TEACHER, "password": "Barleben-Demo-2026"})
        .status_code
        == 302
    )
    assert teacher.school.name == "Grundschule Barleben"

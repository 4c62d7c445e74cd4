import json
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rathaus.cases import services
from rathaus.cases.models import Case, Submission
from rathaus.core.demo import DEMO_PASSWORD
from tests.browser.test_cases import ANLIEGEN
from tests.browser.test_staff_login import CODE_LABEL, log_in_with_password
from tests.conftest import current_code


def test_shots(page, server):
    response = Client().post("/api/v1/forms/anliegen/submissions", json.dumps({"data": ANLIEGEN}), content_type="application/json")
    submission = Submission.objects.get(reference=response.json()["reference"])
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/verwaltung/vorgaenge/{case.number}/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto(f"{server}/verwaltung/vorgaenge/{case.number}/")
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/shot_case.png", full_page=True)
    page.get_by_role("link", name="Vollständigkeit prüfen").click()
    page.screenshot(path="/tmp/shot_task.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{server}/verwaltung/vorgaenge/{case.number}/")
    page.wait_for_timeout(1000)
    page.screenshot(path="/tmp/shot_case_mobile.png", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/verwaltung/prozesse/antrag-standard/")
    page.screenshot(path="/tmp/shot_model.png", full_page=True)

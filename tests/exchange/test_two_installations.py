"""A submission from Barleben to the Landkreis elsewhere, between two real installations.

Routing → encrypt → send → receive → case → accept event → status at the sender, over HTTP
between two servers with their own databases and keys; then a replay of the same submission id
and a receiver that is down (ADR 0055); first, that the set-up gives two separate
installations. The tests of this module share one pair of installations and run in order:
each starts from what the previous one left.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest

from tests.support import pdf

pytestmark = pytest.mark.database  # each installation has a database of its own on PostgreSQL

PATIENCE = 120  # seconds for the two workers and servers to hand a submission over

ANSWERS = {
    "topic": "Für einen sicheren Schulweg",
    "date": "2027-05-01",
    "organiser": "Elterninitiative Barleben",
    "address": {"street": "Breiteweg 12", "postal_code": "39179", "place": "Barleben"},
}

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

SENDER_STATE = """
from rathaus.exchange.models import Event, Outgoing
from rathaus.forms.models import Submission
submission = Submission.objects.get(reference={reference!r})
outgoing = Outgoing.objects.filter(submission=submission).first()
result = {{
    'data': submission.data,
    'hashes': sorted(a.sha512 for a in submission.attachments.all()),
    'outgoing': outgoing and {{
        'id': outgoing.pk, 'status': outgoing.status, 'attempts': outgoing.attempts,
        'last_error': outgoing.last_error, 'submission_uuid': outgoing.submission_uuid,
        'case_uuid': outgoing.case_uuid,
        'retry_later': bool(outgoing.next_attempt_at and outgoing.next_attempt_at > outgoing.created_at),
    }},
    'events': outgoing and [[e.kind, e.verified] for e in Event.objects.filter(
        outgoing=outgoing, direction='received').order_by('pk')],
}}
"""

RECEIVER_STATE = """
from rathaus.cases.models import Case
from rathaus.exchange.models import Event, Incoming
incoming = Incoming.objects.filter(submission_uuid={submission_uuid!r}).first()
submission = incoming and incoming.submission
case = submission and Case.objects.filter(submission=submission).first()
result = {{
    'incomings': Incoming.objects.filter(submission_uuid={submission_uuid!r}).count(),
    'status': incoming and incoming.status,
    'problems': incoming and incoming.problems,
    'case_uuid': incoming and incoming.case_uuid,
    'submission': submission and {{
        'data': submission.data, 'channel': submission.channel,
        'hashes': sorted(a.sha512 for a in submission.attachments.all()),
    }},
    'case': case and {{'number': case.number, 'unit': case.org_unit.slug,
                      'authority': case.authority.slug}},
    'cases': Case.objects.count(),
    'events': incoming and [e.kind for e in Event.objects.filter(
        incoming=incoming, direction='issued').order_by('pk')],
    'encrypted': incoming and {{'encryptedMetadata': incoming.encrypted_metadata,
                               'encryptedData': incoming.encrypted_data}},
}}
"""


def _wait(what: str, probe: Any, done: Any, pair: Any) -> Any:
    """Ask ``probe()`` until ``done(answer)`` holds; fail with the last answer and the logs."""
    deadline = time.monotonic() + PATIENCE
    while True:
        answer = probe()
        if done(answer):
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {PATIENCE} s; last seen: {answer}\n{pair.logs()}")
        time.sleep(1)


def _apply(pair: Any, topic: str, attachment: bytes | None = None) -> tuple[str, Any]:
    """The citizen applies on Barleben's portal through the form API, logged in."""
    browser = pair.sender.browser()
    browser.log_in_as_citizen()
    answers: dict[str, Any] = {**ANSWERS, "topic": topic}
    if attachment is not None:
        upload = browser.upload(f"/api/v1/forms/{pair.form_slug}/uploads", {"field": "plan"},
                                "lageplan.pdf", attachment, "application/pdf")  # fmt: skip
        assert upload.status == 201, upload.text
        answers["plan"] = [upload.json()["id"]]
    answer = browser.post_json(f"/api/v1/forms/{pair.form_slug}/submissions", {"data": answers})
    assert answer.status == 201, answer.text
    return answer.json()["reference"], browser


def _sender_state(pair: Any, reference: str) -> Any:
    return pair.sender.django(SENDER_STATE.format(reference=reference))


def _receiver_state(pair: Any, submission_uuid: str) -> Any:
    return pair.receiver.django(RECEIVER_STATE.format(submission_uuid=submission_uuid))


# --- the set-up itself: two servers that answer, each with its own data


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


# --- the exchange


@pytest.fixture(scope="module")
def delivered(installations) -> dict[str, Any]:
    """One submission with a PDF, applied at Barleben and handed over to the Landkreis."""
    plan = pdf(content=b"BT /F1 12 Tf 72 720 Td (Lageplan Breiteweg) Tj ET")
    reference, browser = _apply(installations, "Für einen sicheren Schulweg", plan)
    sent = _wait(
        "the sender's outbox shows it accepted",
        lambda: _sender_state(installations, reference),
        lambda state: state["outgoing"] and state["outgoing"]["status"] in {"accepted",
                                                                            "rejected"},
        installations,
    )  # fmt: skip
    return {"reference": reference, "browser": browser, "sent": sent,
            "plan_sha512": hashlib.sha512(plan).hexdigest()}  # fmt: skip


def test_the_submission_arrives_as_a_case_of_the_versammlungsbehoerde(installations, delivered):
    sent = delivered["sent"]
    assert sent["outgoing"]["status"] == "accepted", sent
    # the accept event was verified with the receiver's signature key
    assert ["accept-submission", True] in sent["events"]
    received = _receiver_state(installations, sent["outgoing"]["submission_uuid"])
    assert received["status"] == "accepted", received
    assert received["case_uuid"] == sent["outgoing"]["case_uuid"]
    assert received["events"][0] == "accept-submission"
    assert received["case"]["authority"] == "landkreis-boerde"
    assert received["case"]["unit"] == "versammlungsbehoerde"
    # the same answers and the same file
    arrived = received["submission"]
    assert arrived["channel"] == "exchange"
    assert {k: v for k, v in arrived["data"].items() if k != "plan"} == ANSWERS
    assert len(arrived["data"]["plan"]) == 1
    assert arrived["hashes"] == sent["hashes"] == [delivered["plan_sha512"]]


def test_the_clerk_of_the_landkreis_finds_the_case_in_the_inbox(installations, delivered):
    received = _receiver_state(installations, delivered["sent"]["outgoing"]["submission_uuid"])
    clerk = installations.receiver.browser()
    clerk.log_in_as_staff("versammlung")
    inbox = clerk.get("/verwaltung/vorgaenge/")
    assert inbox.status == 200
    assert received["case"]["number"] in inbox.text


def test_the_applicant_sees_at_barleben_that_the_landkreis_accepted_it(delivered):
    page = delivered["browser"].get(f"/konto/antraege/{delivered['reference']}/")
    assert page.status == 200
    assert "Landkreis Börde hat Ihren Antrag am" in page.text
    assert "erhalten und bearbeitet ihn" in page.text


def test_nothing_readable_travelled_and_nothing_was_kept_unencrypted_at_the_sender(
    installations, delivered
):
    received = _receiver_state(installations, delivered["sent"]["outgoing"]["submission_uuid"])
    for part in received["encrypted"].values():
        assert part.count(".") == 4  # a compact JWE
        assert "Schulweg" not in part


def test_a_replayed_submission_id_changes_nothing(installations, delivered):
    """The sender's requests again, as someone who recorded them would send them."""
    sent = delivered["sent"]["outgoing"]
    before = _receiver_state(installations, sent["submission_uuid"])
    remote = installations.receiver.browser()
    auth = {"Authorization": f"Bearer {installations.sender_token}"}
    submit = remote.request(
        "PUT", f"/api/v1/exchange/submissions/{sent['submission_uuid']}",
        json.dumps(before["encrypted"]).encode(),
        {**auth, "Content-Type": "application/json"},
    )  # fmt: skip
    assert submit.status == 202, submit.text
    assert submit.json()["submissionId"] == sent["submission_uuid"]
    assert submit.json()["caseId"] == sent["case_uuid"]
    upload = remote.put(
        f"/api/v1/exchange/submissions/{sent['submission_uuid']}/attachments/"
        "00000000-0000-4000-8000-000000000000", b"a.b.c.d.e", "application/jose", auth,
    )  # fmt: skip
    assert upload.status in {409, 422}, upload.text
    time.sleep(3)  # give the receiver's worker the chance to do something it must not do
    after = _receiver_state(installations, sent["submission_uuid"])
    assert after["incomings"] == 1
    assert after["cases"] == before["cases"]
    assert after["events"] == before["events"]
    assert after["case"] == before["case"]


def test_the_same_id_from_another_sender_is_not_found(installations, delivered):
    sent = delivered["sent"]["outgoing"]
    recorded = _receiver_state(installations, sent["submission_uuid"])["encrypted"]
    answer = installations.receiver.browser().request(
        "PUT", f"/api/v1/exchange/submissions/{sent['submission_uuid']}",
        json.dumps(recorded).encode(),
        {"Authorization": "Bearer someone-else", "Content-Type": "application/json"},
    )  # fmt: skip
    assert answer.status == 401, answer.text


def test_while_the_receiver_is_down_the_sender_keeps_it_and_delivers_later(installations):
    receiver = installations.receiver
    receiver.stop_server()
    try:
        reference, applicant = _apply(installations, "Mahnwache am Rathaus")
        waiting = _wait(
            "the sender's first attempt failed",
            lambda: _sender_state(installations, reference),
            lambda state: state["outgoing"] and state["outgoing"]["attempts"] >= 1,
            installations,
        )
        outgoing = waiting["outgoing"]
        # not given up: pending with the error and a later attempt (back-off)
        assert outgoing["status"] == "pending", outgoing
        assert outgoing["last_error"]
        assert outgoing["retry_later"]
        page = applicant.get(f"/konto/antraege/{reference}/")
        assert "Ihr Antrag wird an Landkreis Börde übermittelt." in page.text
    finally:
        receiver.start_server()
        receiver.wait_until_serving()
    # the administrator sends it again now rather than waiting for the back-off
    admin = installations.sender.browser()
    admin.log_in_as_staff("digitales")
    detail = f"/verwaltung/austausch/{outgoing['id']}/"
    assert reference in admin.get(detail).text
    again = admin.post_form(detail, {"aktion": "erneut-senden"})
    assert again.status == 302, again.text
    done = _wait(
        "the submission is delivered after the receiver came back",
        lambda: _sender_state(installations, reference),
        lambda state: state["outgoing"]["status"] in {"accepted", "rejected"},
        installations,
    )
    assert done["outgoing"]["status"] == "accepted", done
    received = _receiver_state(installations, done["outgoing"]["submission_uuid"])
    assert received["incomings"] == 1
    assert received["case"]["unit"] == "versammlungsbehoerde"
    assert received["submission"]["data"]["topic"] == "Mahnwache am Rathaus"

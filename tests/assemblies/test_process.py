"""The Landkreis's process for an assembly notice: the model as a unit (no database), then end to
end from the demo's notice in the Versammlungsbehörde's inbox to the decision letter (PDF) in the
applicant's mailbox, for each of the three outcomes, with the cooperation talk offered as an
appointment booking link."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from rathaus.accounts.models import Message
from rathaus.assemblies import install
from rathaus.assemblies.process_tasks import TALK_SLUG, decision_text
from rathaus.cases.models import Case, CaseDocument
from rathaus.forms.models import Submission
from rathaus.processes.models import ProcessInstance, ProcessTask
from rathaus.processes.testing import ModelRun
from tests.support import log_in, post_data

CHECK, DECIDE = "Task_Check", "Task_Decide"


def run() -> ModelRun:
    return ModelRun.from_directory(install.PROCESS_DIRECTORY, data={"answers": {}})


@pytest.mark.parametrize(
    ("decision", "outcome"),
    [("confirmation", "granted"), ("conditions", "partly_granted"), ("prohibition", "refused")],
)
def test_each_decision_makes_its_letter_then_closes(decision: str, outcome: str) -> None:
    model = run()
    assert model.open_tasks == [CHECK]
    model.complete(CHECK, cooperation_talk=False)
    assert model.services == []
    assert model.open_tasks == [DECIDE]
    answers = {"conditions": "Keine Pyrotechnik."} if decision == "conditions" else {}
    if decision != "confirmation":
        answers["reasons"] = "Nach den erkennbaren Umständen besteht eine Gefahr."
    model.complete(DECIDE, decision=decision, **answers)
    assert model.services == [
        ("decide_assembly", {"outcome": outcome}),
        ("set_status", {"status": "closed"}),
    ]
    assert model.completed


def test_the_cooperation_talk_is_offered_before_the_decision() -> None:
    model = run()
    model.complete(CHECK, cooperation_talk=True, talk_topics="Aufstellung des Lautsprecherwagens")
    assert model.services == [("offer_cooperation_talk", {})]
    assert model.open_tasks == [DECIDE]


def test_the_conditions_are_numbered_before_the_reasons() -> None:
    text = decision_text(
        "partly_granted", "Keine Pyrotechnik.\n\n Ordner tragen Westen. ", "Gefahr."
    )
    assert text.splitlines() == [
        "Auflagen:",
        "1. Keine Pyrotechnik.",
        "2. Ordner tragen Westen.",
        "Begründung:",
        "Gefahr.",
    ]
    assert decision_text("refused", "ignored", "Gefahr.") == "Gefahr."


# --- end to end ----------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def barleben(barleben):  # type: ignore[no-untyped-def]
    """The demo with the notices a demo installation (RATHAUS_DEMO) has in the inbox."""
    from rathaus.assemblies import demo
    from rathaus.core.demo import Tally

    demo.load_notices(Tally())
    return barleben


def demo_case(key: str = "demo:versammlung:1") -> Case:
    submission = Submission.objects.get(idempotency_key=key)
    return Case.objects.get(submission=submission)


def complete(clerk: Client, case: Case, data: dict, expect: int = 302) -> None:
    task = ProcessTask.objects.get(case=case, status="open")
    url = f"/verwaltung/vorgaenge/{case.number}/aufgaben/{task.pk}/"
    page = clerk.get(url)
    assert page.status_code == 200
    response = clerk.post(url, post_data(page.content.decode(), **data))
    assert response.status_code == expect, response.content.decode()[:3000]


@pytest.mark.django_db
def test_the_demo_notices_wait_in_the_assembly_authoritys_inbox(barleben) -> None:
    for key in ("demo:versammlung:1", "demo:versammlung:2"):
        case = demo_case(key)
        assert case.authority.slug == "landkreis-boerde"
        assert case.org_unit.slug == "versammlungsbehoerde"
        instance = ProcessInstance.objects.get(case=case)
        assert instance.version.model.slug == "landkreis-boerde-versammlung"
        assert ProcessTask.objects.get(case=case, status="open").element_id == CHECK
    clerk = log_in(Client(), "versammlung")
    inbox = clerk.get("/verwaltung/vorgaenge/").content.decode()
    assert demo_case().number in inbox


LETTERS = {
    "confirmation": ({}, "Anmeldebestätigung für Ihre Versammlung", "closed"),
    "conditions": (
        {"conditions": "Keine Pyrotechnik.\nDer Lautsprecher schweigt am Friedhof.",
         "reasons": "Am Friedhof findet zur gleichen Zeit eine Trauerfeier statt."},
        "1. Keine Pyrotechnik.",
        "closed",
    ),
    "prohibition": (
        {"reasons": "Die Brücke ist gesperrt; es gibt keinen anderen sicheren Weg."},
        "Verbot der angemeldeten Versammlung",
        "closed",
    ),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("decision", sorted(LETTERS))
def test_from_the_check_to_the_letter_in_the_mailbox(barleben, decision: str) -> None:
    case = demo_case()
    clerk = log_in(Client(), "versammlung")
    complete(clerk, case, {"cooperation_talk": "yes"}, expect=422)  # the topics are missing
    complete(clerk, case, {"cooperation_talk": "yes", "talk_topics": "Aufstellung der Ordner"})
    invitation = Message.objects.filter(account=case.applicant, reference=case.number).latest("pk")
    assert invitation.subject == "Einladung zum Kooperationsgespräch"
    location = case.org_unit.appointment_locations.get()
    talk = location.types.get(slug=TALK_SLUG)
    booking_path = f"/termine/{location.slug}/{talk.pk}/"
    assert booking_path in invitation.body
    assert "Aufstellung der Ordner" in invitation.body

    answers, expected, status = LETTERS[decision]
    if decision != "confirmation":
        complete(clerk, case, {"decision": decision}, expect=422)  # reasons are required
    complete(clerk, case, {"decision": decision, **answers})
    case.refresh_from_db()
    assert case.status == status
    letter = CaseDocument.objects.get(case=case, kind="decision")
    content = letter.file.read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert expected in text
    assert "Für einen sicheren Schulweg" in text  # the notified assembly, in the letter
    # a confirmation decides nothing to object to; conditions and a prohibition name the
    # objection and the urgent way to the court before the day of the assembly
    flat = " ".join(text.split())
    assert ("Widerspruch" in flat) is (decision != "confirmation")
    assert ("vorläufigen Rechtsschutz" in flat) is (decision != "confirmation")
    message = Message.objects.filter(account=case.applicant, reference=case.number).latest("pk")
    assert message.attachments.count() == 1
    assert ProcessInstance.objects.get(case=case).status == "completed"


@pytest.mark.django_db
def test_without_the_appointment_type_the_talk_step_says_what_to_set_up(barleben) -> None:
    from rathaus.appointments.models import AppointmentType

    AppointmentType.objects.filter(slug=TALK_SLUG).delete()
    case = demo_case()
    clerk = log_in(Client(), "versammlung")
    complete(clerk, case, {"cooperation_talk": "yes", "talk_topics": "Aufstellung der Ordner"})
    page = clerk.get(f"/verwaltung/vorgaenge/{case.number}/").content.decode()
    assert "keine Terminart „kooperationsgespraech“" in page

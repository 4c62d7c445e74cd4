"""Registration needs proof of a person: a solved ALTCHA challenge, or the question without JS."""

from __future__ import annotations

import base64
import json

import pytest
import time_machine
from altcha.v1 import solve_challenge
from django.contrib.auth import get_user_model
from django.utils import timezone

from rathaus.accounts import altcha
from tests.support import REGISTRATION, human_check


def solved_payload(client) -> str:
    challenge = client.get("/konto/registrieren/pruefung/").json()
    solution = solve_challenge(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxnumber"], 0
    )
    payload = {
        "algorithm": challenge["algorithm"], "challenge": challenge["challenge"],
        "number": solution.number, "salt": challenge["salt"], "signature": challenge["signature"],
    }  # fmt: skip
    return base64.b64encode(json.dumps(payload).encode()).decode()


def accounts() -> int:
    return get_user_model().objects.filter(username="kim.beispiel@example.org").count()


def test_challenge_endpoint_is_fresh_json(client, db):
    response = client.get("/konto/registrieren/pruefung/")
    assert response.status_code == 200
    assert set(response.json()) == {"algorithm", "challenge", "maxnumber", "salt", "signature"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_registration_with_a_solved_challenge(client, barleben):
    response = client.post(
        "/konto/registrieren/", {**REGISTRATION, "altcha": solved_payload(client)}
    )
    assert response["Location"] == "/konto/registriert/"
    assert accounts() == 1


def test_a_solution_works_only_once(client, barleben):
    payload = solved_payload(client)
    client.post("/konto/registrieren/", {**REGISTRATION, "altcha": payload})
    again = client.post(
        "/konto/registrieren/", {**REGISTRATION, "email": "other@example.org", "altcha": payload}
    )
    assert again.status_code == 200
    assert "Bitte bestätigen Sie, dass Sie ein Mensch sind" in again.content.decode()


@pytest.mark.parametrize("payload", ["", "bm9wZQ==", "%%%", base64.b64encode(b"{}").decode()])
def test_missing_or_forged_solutions_are_refused(client, barleben, payload):
    response = client.post("/konto/registrieren/", {**REGISTRATION, "altcha": payload})
    assert response.status_code == 200
    assert accounts() == 0


def test_expired_challenges_are_refused(client, barleben):
    payload = solved_payload(client)
    with time_machine.travel(timezone.now() + altcha.LIFETIME * 2):
        response = client.post("/konto/registrieren/", {**REGISTRATION, "altcha": payload})
    assert response.status_code == 200
    assert accounts() == 0


def test_question_without_javascript(client, barleben):
    page = client.get("/konto/registrieren/").content.decode()
    assert "<noscript>" in page
    assert "plus" in page
    check = human_check()
    wrong = client.post("/konto/registrieren/", {**REGISTRATION, **check, "question_answer": "99"})
    assert wrong.status_code == 200
    assert accounts() == 0
    right = client.post("/konto/registrieren/", {**REGISTRATION, **human_check()})
    assert right["Location"] == "/konto/registriert/"

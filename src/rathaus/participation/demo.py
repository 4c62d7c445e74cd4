"""Demo participation of Barleben: the citizen survey on digitalisation for the Smart-City
strategy ("Bürgerbefragung Digitalisierung"), with a question of every kind, a condition, and
24 demo answers whose results staff have published as an interim result.

Clearly demo content (the description says so). Keyed by fixed uids: a process that exists
already is left as it is, so loading again changes nothing. The answers go through
:func:`rathaus.participation.services.submit` like a visitor's (anonymously: the demo answers
belong to nobody). The demo clerk of the Digitalwerkstatt runs participation (role
"Beteiligung").
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from rathaus.core import roles
from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.participation import keepers, services
from rathaus.participation.models import Answer, Phase, Process, Question, Survey

AUTHORITY = "barleben"
DEMO_KEEPER = "digitalwerkstatt"
NAMESPACE = uuid.UUID("7d1f0c52-8a3e-4b8e-9a57-2f4c1e6b0d93")
FIELDS = ["Verwaltung und Bürgerschaft", "Umwelt und Mobilität", "Generationen und Leben"]
SERVICES = ["Anträge online stellen", "Termine online buchen", "Bekanntmachungen lesen",
            "Sensordaten (Luft, Wasser) ansehen", "Baustelleninformationen"]  # fmt: skip

QUESTIONS: list[dict[str, Any]] = [
    {"key": "internet", "page": 1, "kind": Question.Kind.SINGLE, "required": True,
     "text": "Wie oft nutzen Sie das Internet?",
     "options": ["Täglich", "Mehrmals pro Woche", "Selten", "Nie"]},
    {"key": "services", "page": 1, "kind": Question.Kind.MULTIPLE,
     "text": "Welche Angebote der Gemeinde möchten Sie online nutzen?",
     "help_text": "Mehrere Antworten sind möglich.", "options": SERVICES},
    {"key": "why-not", "page": 2, "kind": Question.Kind.TEXT,
     "text": "Was hält Sie davon ab, das Internet zu nutzen?",
     "condition": ("internet", "Nie")},
    {"key": "satisfaction", "page": 2, "kind": Question.Kind.SCALE, "required": True,
     "text": "Wie zufrieden sind Sie mit den digitalen Angeboten der Gemeinde heute?",
     "scale": (1, 5, "gar nicht zufrieden", "sehr zufrieden")},
    {"key": "fields", "page": 3, "kind": Question.Kind.RANKING,
     "text": "Welche Handlungsfelder sind Ihnen am wichtigsten? Bitte ordnen Sie sie "
             "(1 = am wichtigsten).", "options": FIELDS},
    {"key": "matrix", "page": 3, "kind": Question.Kind.MATRIX,
     "text": "Wie wichtig sind Ihnen diese Vorhaben?",
     "rows": ["Digitale Bürgerdienste", "Bessere Busverbindungen mit Echtzeitdaten",
              "Digitale Kurse für Seniorinnen und Senioren"],
     "scale": (1, 5, "unwichtig", "sehr wichtig")},
    {"key": "ideas", "page": 3, "kind": Question.Kind.TEXT,
     "text": "Welche Idee für ein digitales Barleben möchten Sie uns mitgeben?"},
]  # fmt: skip

TEXTS = [
    "Mehr Sitzbänke mit WLAN am Mittellandkanal.",
    "Eine App für den Bus nach Magdeburg mit den echten Abfahrtszeiten.",
    "Kurse in der Digitalwerkstatt auch am Samstag.",
    "Den Bauhof per Foto über kaputte Laternen informieren können.",
]


def _uid(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    if authority is None:
        return
    if Process.objects.filter(uid=_uid("process")).exists():
        tally["Process: unchanged"] += 1
    else:
        with transaction.atomic():
            _answer(_create(authority, tally), tally)
    _keeper(tally)
    from rathaus.participation import competition_demo

    competition_demo.load(tally)


def _create(authority: Authority, tally: Tally) -> Survey:
    today = timezone.localdate()
    process = Process.objects.create(
        uid=_uid("process"), authority=authority, slug="buergerbefragung-digitalisierung",
        title="Bürgerbefragung Digitalisierung",
        summary="Wie digital soll Barleben werden? Ihre Antworten fließen in die "
                "Smart-City-Strategie der Gemeinde ein.",
        body="Demo. Barleben entwickelt mit Bürgerinnen und Bürgern, Verwaltung und "
             "Fachleuten eine Strategie für die Digitalisierung. Sie hat drei Handlungsfelder: "
             "„Verwaltung und Bürgerschaft“, „Umwelt und Mobilität“ und „Generationen und "
             "Leben“.\n\nDie Befragung dauert etwa fünf Minuten. Sie ist anonym: Niemand kann "
             "sehen, welche Antworten von Ihnen sind.",
        state=Process.State.PUBLISHED, eligibility=Process.Eligibility.ANONYMOUS,
    )  # fmt: skip
    days = dt.timedelta
    Phase.objects.create(process=process, kind=Phase.Kind.INFORMATION,
                         starts_on=today - days(21), ends_on=today - days(8),
                         description="Vorstellung der Handlungsfelder in der Digitalwerkstatt "
                                     "(Villa 147, Breiteweg 147).")  # fmt: skip
    phase = Phase.objects.create(process=process, kind=Phase.Kind.DISCUSSION,
                                 starts_on=today - days(7), ends_on=today + days(21),
                                 description="Die Befragung läuft.")  # fmt: skip
    Phase.objects.create(process=process, kind=Phase.Kind.RESULTS,
                         starts_on=today + days(22), ends_on=today + days(60),
                         description="Die Ergebnisse werden hier und im Gemeinderat "
                                     "vorgestellt.")  # fmt: skip
    survey = Survey.objects.create(
        uid=_uid("survey"), phase=phase, title="Bürgerbefragung Digitalisierung",
        intro="Sieben Fragen auf drei Seiten. Pflichtfragen sind markiert.",
        once_per_person=True, results_published=True,
    )  # fmt: skip
    made: dict[str, Question] = {}
    for position, spec in enumerate(QUESTIONS, start=1):
        low, high, low_label, high_label = spec.get("scale", (1, 5, "", ""))
        condition = spec.get("condition")
        made[spec["key"]] = Question.objects.create(
            uid=_uid(spec["key"]), survey=survey, page=spec["page"], position=position,
            kind=spec["kind"], text=spec["text"], help_text=spec.get("help_text", ""),
            required=spec.get("required", False), options=spec.get("options", []),
            rows=spec.get("rows", []), scale_min=low, scale_max=high,
            scale_min_label=low_label, scale_max_label=high_label,
            shown_if_question=made[condition[0]] if condition else None,
            shown_if_answer=condition[1] if condition else "",
        )  # fmt: skip
    tally["Process: created"] += 1
    tally["Question: created"] += len(made)
    return survey


def _answer(survey: Survey, tally: Tally) -> None:
    """24 answers drawn with a fixed seed, so every demo shows the same results."""
    chance = random.Random(2026)  # noqa: S311 - demo answers, the same in every demo
    questions = {question.uid: question for question in survey.questions.all()}
    q = {key: questions[_uid(key)] for key in (spec["key"] for spec in QUESTIONS)}
    for number in range(24):
        use = chance.choices(q["internet"].options, weights=[12, 6, 4, 2])[0]
        answers: dict[str, Any] = {
            str(q["internet"].uid): use,
            str(q["services"].uid): chance.sample(SERVICES, chance.randint(1, 3)),
            str(q["satisfaction"].uid): str(chance.choices([1, 2, 3, 4, 5], [2, 4, 8, 7, 3])[0]),
            str(q["fields"].uid): {field: str(rank) for rank, field in
                                   enumerate(chance.sample(FIELDS, 3), start=1)},
            str(q["matrix"].uid): {row: str(chance.randint(3, 5)) for row in q["matrix"].rows},
        }  # fmt: skip
        if use == "Nie":
            answers[str(q["why-not"].uid)] = "Ich habe keinen Computer und kein Smartphone."
        if number < len(TEXTS):
            answers[str(q["ideas"].uid)] = TEXTS[number]
        services.submit(survey, None, answers)
    tally["Response: created"] += 24
    # the clerk has approved the ideas already; the answers on why not are still waiting
    Answer.objects.filter(question=q["ideas"]).update(review=Answer.Review.APPROVED)


def _keeper(tally: Tally) -> None:
    """The demo clerk of the Digitalwerkstatt runs participation (group "Beteiligung")."""
    user = get_user_model().objects.filter(username=DEMO_KEEPER).first()
    if user is None:
        return
    role = roles.role(keepers.ROLE)
    role.permissions.add(*Permission.objects.filter(
        content_type__app_label="participation",
        codename__in=[f"{action}_{model}" for action in ("add", "change", "delete", "view")
                      for model in ("process", "phase", "survey", "question", "competition",
                                    "entry")],
    ))  # fmt: skip
    if not user.groups.filter(pk=role.pk).exists():
        user.groups.add(role)
        tally["Group member: added"] += 1

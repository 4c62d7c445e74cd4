"""Demo proposals of Barleben: the process "Ideen für den Bürgerpark" in its proposals phase,
with four proposals of demo citizens, supports, comments and one official answer that links to
a construction project of the demo.

Clearly demo content (the process description says so). Keyed by a fixed uid: a process that
exists already is left as it is. The demo citizens have no password (nobody logs in as them);
the demo citizen Ilse Beispiel (accounts demo) can submit, support and comment herself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rathaus.accounts.models import Account
from rathaus.construction.models import Project
from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.participation.models import Comment, OfficialAnswer, Phase, Process, Proposal, Support

NAMESPACE = uuid.UUID("3c0b6f8e-52a1-4c37-9b0d-8e1f2a6c7d45")
CITIZENS = [
    ("jonas.muster@example.org", "Jonas", "Muster", "39179"),
    ("petra.probe@example.org", "Petra", "Probe", "39179"),
    ("ali.demo@example.org", "Ali", "Demo", "39326"),
    ("greta.test@example.org", "Greta", "Test", "39179"),
]
PROPOSALS: list[dict[str, Any]] = [
    {"key": "trinkbrunnen", "author": 0, "title": "Trinkbrunnen am Spielplatz",
     "text": "Im Sommer ist es am Spielplatz sehr heiß. Ein Trinkbrunnen wie in Magdeburg "
             "wäre für Kinder und Spaziergänger eine große Hilfe.",
     "place": ("52.205400", "11.624100"), "supports": [1, 2, 3],
     "comments": [(1, "Gute Idee! Bitte mit einer niedrigen Zapfstelle für Kinder."),
                  (3, "Und mit einer Schale für Hunde.")],
     "answer": "Vielen Dank für den Vorschlag. Die Gemeinde prüft einen Trinkbrunnen am "
               "Spielplatz; der Wasseranschluss kann mit dem Umbau des Weges gelegt werden. "
               "Der Bauausschuss berät im nächsten Quartal darüber."},
    {"key": "blumenwiese", "author": 1, "title": "Blumenwiese statt Rasen",
     "text": "Die große Rasenfläche hinter dem Teich könnte eine Blumenwiese für Bienen "
             "werden. Sie muss nur zweimal im Jahr gemäht werden.",
     "place": ("52.206100", "11.622800"), "supports": [0, 3],
     "comments": [(2, "Dann aber bitte mit einem Weg, damit man trotzdem durchkommt.")]},
    {"key": "baenke", "author": 2, "title": "Mehr Bänke mit Lehne",
     "text": "Für ältere Menschen fehlen Bänke mit Rückenlehne und Armlehnen, besonders am "
             "Rundweg um den Teich.",
     "place": None, "supports": [0, 1, 3], "comments": []},
    {"key": "beleuchtung", "author": 3, "title": "Beleuchtung am Hauptweg",
     "text": "Im Winter ist der Hauptweg ab 17 Uhr dunkel. Sparsame Leuchten mit "
             "Bewegungsmelder würden den Weg sicherer machen.",
     "place": ("52.204700", "11.621900"), "supports": [2],
     "comments": [(0, "Bitte insektenfreundliche Leuchten (warmweiß) nehmen.")]},
]  # fmt: skip


def _uid(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug="barleben").first()
    if authority is None:
        return
    if Process.objects.filter(uid=_uid("process")).exists():
        tally["Proposal process: unchanged"] += 1
        return
    with transaction.atomic():
        _create(authority, tally)


def _citizens() -> list[Any]:
    users: list[Any] = []
    for email, first, last, code in CITIZENS:
        user, created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first, "last_name": last,
                                      "is_staff": False})  # fmt: skip
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Account.objects.get_or_create(user=user, defaults={
            "kind": Account.Kind.PERSON, "postal_code": code, "city": "Barleben",
            "email_verified_at": timezone.now()})  # fmt: skip
        users.append(user)
    return users


def _create(authority: Authority, tally: Tally) -> None:
    today = timezone.localdate()
    days = dt.timedelta
    process = Process.objects.create(
        uid=_uid("process"), authority=authority, slug="ideen-buergerpark",
        title="Ideen für den Bürgerpark",
        summary="Was soll im Bürgerpark besser werden? Reichen Sie Ihre Ideen ein, unterstützen "
                "und kommentieren Sie die Ideen anderer.",
        body="Demo. Der Bürgerpark an der Ebendorfer Straße wird in den nächsten Jahren "
             "erneuert. Die Gemeinde sammelt dafür Ideen der Einwohnerinnen und Einwohner. Die "
             "Verwaltung beantwortet die meistunterstützten Vorschläge, und der Gemeinderat "
             "berät darüber.",
        state=Process.State.PUBLISHED, eligibility=Process.Eligibility.RESIDENTS,
    )  # fmt: skip
    Phase.objects.create(process=process, kind=Phase.Kind.PROPOSALS, starts_on=today - days(10),
                         ends_on=today + days(30),
                         description="Ideen einreichen, unterstützen, kommentieren.")  # fmt: skip
    Phase.objects.create(process=process, kind=Phase.Kind.RESULTS, starts_on=today + days(31),
                         ends_on=today + days(90),
                         description="Die Verwaltung stellt vor, was umgesetzt wird.")  # fmt: skip
    users = _citizens()
    project = Project.objects.filter(authority=authority).order_by("id").first()
    for age, spec in enumerate(PROPOSALS):
        latitude, longitude = spec["place"] or (None, None)
        proposal = Proposal.objects.create(
            uid=_uid(spec["key"]), process=process, author=users[spec["author"]],
            title=spec["title"], text=spec["text"],
            latitude=Decimal(latitude) if latitude else None,
            longitude=Decimal(longitude) if longitude else None,
        )  # fmt: skip
        Proposal.objects.filter(pk=proposal.pk).update(
            created_at=timezone.now() - days(days=8 - 2 * age))  # fmt: skip
        Support.objects.bulk_create(
            Support(proposal=proposal, user=users[index]) for index in spec["supports"]
        )
        for index, text in spec["comments"]:
            Comment.objects.create(proposal=proposal, author=users[index], text=text)
        if spec.get("answer"):
            OfficialAnswer.objects.create(proposal=proposal, text=spec["answer"],
                                          answered_on=today - days(2))  # fmt: skip
            if project is not None:
                Proposal.objects.filter(pk=proposal.pk).update(construction_project=project)
    tally["Proposal process: created"] += 1
    tally["Proposal: created"] += len(PROPOSALS)

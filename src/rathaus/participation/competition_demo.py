"""Demo competition of Barleben: the logo competition "Logo für SmartCity Barleben" in its
vote phase, with five entries and some demo votes.

The entries' pictures are simple drawings made with Pillow when the demo is loaded (shapes
and letters, no photographs) and their descriptions say so; the entries are "entered by
staff" with the class or group named as the demo author. The demo votes belong to no
account: their voter pseudonyms are hashes of "demo voter n". Keyed by a fixed uid, loading
again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from rathaus.construction.project_pictures import store_drawn
from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.participation.models import Ballot, Competition, Entry, Process

NAMESPACE = uuid.UUID("0b3c5a7e-21d4-4f0e-8c5b-6a9e2d1f4b70")
ENTRIES = [
    ("Welle und Turm", "Klasse 7b, Sekundarschule Barleben", "#1f5f8b", "wave",
     "Zeichnung: eine blaue Welle für den Mittellandkanal unter einem stilisierten Kirchturm."),
    ("Vernetztes B", "Digitalwerkstatt-Kurs „Gestalten am Computer“", "#2e7d32", "nodes",
     "Zeichnung: ein grünes B aus Punkten, die mit Linien verbunden sind wie ein Netz."),
    ("Sonne über dem Feld", "Seniorenclub Meitzendorf", "#c77700", "sun",
     "Zeichnung: eine orange Sonne über drei gelben Feldstreifen."),
    ("Drei Orte", "Ortschaftsrat-Jugendgruppe Ebendorf", "#6a1b9a", "circles",
     "Zeichnung: drei violette Kreise, die sich überschneiden, für Barleben, Ebendorf und "
     "Meitzendorf."),
    ("Technologiepark", "Klasse 10a, Sekundarschule Barleben", "#37474f", "grid",
     "Zeichnung: ein graues Raster aus Quadraten mit einem hervorgehobenen Feld."),
]  # fmt: skip
VOTES = [14, 9, 6, 11, 4]  # demo votes per entry


def _uid(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def draw(colour: str, motif: str) -> Image.Image:
    """A 480 × 320 drawing of one motif in ``colour`` on white."""
    image = Image.new("RGB", (480, 320), "white")
    pen = ImageDraw.Draw(image)
    if motif == "wave":
        pen.rectangle((215, 40, 265, 190), fill=colour)
        pen.polygon([(200, 40), (240, 0), (280, 40)], fill=colour)
        for top in (210, 250):
            pen.arc((40, top, 240, top + 60), 180, 360, fill=colour, width=14)
            pen.arc((240, top, 440, top + 60), 0, 180, fill=colour, width=14)
    elif motif == "nodes":
        points = [(160, 60), (160, 160), (160, 260), (280, 60), (320, 110), (280, 160),
                  (330, 210), (280, 260)]  # fmt: skip
        pen.line(points[:3], fill=colour, width=8)
        pen.line([points[0], *points[3:6], points[1]], fill=colour, width=8)
        pen.line([points[5], points[6], points[7], points[2]], fill=colour, width=8)
        for x, y in points:
            pen.ellipse((x - 18, y - 18, x + 18, y + 18), fill=colour)
    elif motif == "sun":
        pen.ellipse((180, 30, 300, 150), fill=colour)
        for index, top in enumerate((190, 235, 280)):
            pen.rectangle((40, top, 440, top + 30), fill=("#f2c200", "#e0b000", "#caa000")[index])
    elif motif == "circles":
        for x, y in ((190, 130), (290, 130), (240, 210)):
            pen.ellipse((x - 80, y - 80, x + 80, y + 80), outline=colour, width=12)
    else:
        for row in range(4):
            for column in range(6):
                left, top = 60 + column * 62, 40 + row * 62
                fill = colour if (row, column) == (1, 3) else "#cfd8dc"
                pen.rectangle((left, top, left + 52, top + 52), fill=fill)
    return image


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug="barleben").first()
    if authority is None:
        return
    if Competition.objects.filter(uid=_uid("competition")).exists():
        tally["Competition: unchanged"] += 1
        return
    with transaction.atomic():
        _create(authority, tally)


def _create(authority: Authority, tally: Tally) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    days = dt.timedelta
    process = Process.objects.create(
        uid=_uid("process"), authority=authority, slug="logo-smartcity",
        title="Logo für SmartCity Barleben",
        summary="Die Smart-City-Strategie bekommt ein Logo: stimmen Sie über die Entwürfe ab.",
        body="Demo. Schulklassen, Vereine und Bürgerinnen und Bürger haben Entwürfe eingereicht; "
             "eine Jury aus Gemeinderat und Digitalwerkstatt hat fünf für die Abstimmung "
             "ausgewählt. Die Entwürfe dieser Demo sind einfache Zeichnungen, die das System "
             "beim Laden der Demo erzeugt.\n\nAbstimmen können Einwohnerinnen und Einwohner mit "
             "der Online-Ausweisfunktion (BundID).",
        state=Process.State.PUBLISHED, eligibility=Process.Eligibility.RESIDENTS,
        min_trust_level="substantial",
    )  # fmt: skip
    competition = Competition.objects.create(
        uid=_uid("competition"), process=process, title="Logo für SmartCity Barleben",
        rules="Gesucht ist ein Logo für die Smart-City-Strategie, das auf Briefen, der Website "
              "und Schildern funktioniert. Jede Person hat eine Stimme. Das Logo mit den meisten "
              "Stimmen wird dem Gemeinderat zur Annahme vorgeschlagen.",
        entries_from=now - days(40), entries_until=now - days(20), jury_until=now - days(10),
        vote_from=now - days(3), vote_until=now + days(11), results_at=now + days(12),
        votes_per_person=1,
    )  # fmt: skip
    entries = []
    for index, (title, author, colour, motif, description) in enumerate(ENTRIES):
        picture = store_drawn(draw(colour, motif), f"logo-entwurf-{index + 1}.png")
        entries.append(Entry.objects.create(
            uid=_uid(f"entry-{index}"), competition=competition, entered_by_staff=True,
            author_name=author, title=title, description=description, image=picture.file,
            display=picture.display, consent_at=now - days(25), state=Entry.State.SHORTLISTED,
            jury_note="Von der Jury ausgewählt.",
        ))  # fmt: skip
    ballots = []
    voter = 0
    for entry, count in zip(entries, VOTES, strict=True):
        for _n in range(count):
            voter += 1
            pseudonym = hashlib.sha256(f"demo voter {voter}".encode()).hexdigest()
            ballots.append(Ballot(competition=competition, voter=pseudonym, entry=entry, slot=1))
    Ballot.objects.bulk_create(ballots)
    tally["Competition: created"] += 1
    tally["Entry: created"] += len(entries)
    tally["Ballot: created"] += len(ballots)

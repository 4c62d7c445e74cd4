"""Demo construction projects of Barleben: a school extension under construction, a planned
cycle path, a finished village hall and a draft fire station.

The figures and dates are made up for the demo (each description says so), dated relative to
the day of loading so that the states stay plausible. The pictures are plan drawings that
rathaus draws itself — no photos — and their descriptions say so. Loading again changes
nothing: projects by short name, phases by title, pictures only when a project has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from PIL import Image, ImageDraw, ImageFont

from rathaus.construction.models import Project, ProjectPhase, ProjectPicture, Publication
from rathaus.construction.project_pictures import store_drawn
from rathaus.construction.projects import ROLE
from rathaus.core import roles
from rathaus.core.demo import Tally
from rathaus.core.models import Authority, Locality

DEMO_AUTHORITY = "barleben"
DEMO_KEEPER = "bauamt"  # the demo clerk of the building office keeps the projects
NOTE = "Beispiel für die Demo: Beträge, Termine und Fördermittel sind ausgedacht."
PLAN_SIZE = (1000, 640)


@dataclass(frozen=True)
class DemoPhase:
    title: str
    state: str
    start: int  # months from this month
    end: int
    description: str = ""


@dataclass(frozen=True)
class DemoProject:
    slug: str
    title: str
    summary: str
    description: str
    state: str
    village: str
    budget_cents: int
    funding: str
    start: int
    end: int
    geometry: dict[str, Any] | None
    phases: tuple[DemoPhase, ...]
    colour: tuple[int, int, int]
    plan: str  # what the drawing shows, for its description
    published: bool = True


PROJECTS = (
    DemoProject(
        slug="erweiterung-grundschule-barleben",
        title="Erweiterung der Grundschule Barleben",
        summary="Ein Anbau mit vier Klassenräumen, einem Förderraum und einem barrierefreien "
        "Eingang mit Aufzug.",
        description="Die Grundschule hat mehr Kinder als Platz. Der zweigeschossige Anbau "
        "schließt an den Altbau an. Der Unterricht geht während der Bauzeit weiter; "
        "laute Arbeiten finden vor allem in den Ferien statt.",
        state=Project.State.UNDER_CONSTRUCTION,
        village="Barleben",
        budget_cents=2_450_000_00,
        funding="Fördermittel des Landes Sachsen-Anhalt für den Schulbau: 1,40 Mio. €.\n"
        "Eigenmittel der Gemeinde Barleben: 1,05 Mio. €.",
        start=-10,
        end=8,
        geometry={"type": "Point", "coordinates": [11.6233, 52.2041]},
        phases=(
            DemoPhase("Planung und Baugenehmigung", "done", -18, -11),
            DemoPhase("Ausschreibung und Vergabe", "done", -12, -10),
            DemoPhase(
                "Rohbau",
                "in_progress",
                -9,
                1,
                "Fundamente und Erdgeschoss sind fertig, das Obergeschoss entsteht.",
            ),
            DemoPhase("Innenausbau und Aufzug", "planned", 1, 7),
            DemoPhase("Übergabe an die Schule", "planned", 8, 8),
        ),
        colour=(200, 90, 20),
        plan="Lageplan des Anbaus an die Grundschule",
    ),
    DemoProject(
        slug="radweg-ebendorf-barleben",
        title="Radweg zwischen Ebendorf und Barleben",
        summary="Ein getrennter Rad- und Gehweg entlang der Kreisstraße, 2,1 Kilometer lang "
        "und beleuchtet.",
        description="Bisher fahren Kinder auf dem Weg zur Schule auf der Fahrbahn. Der neue "
        "Weg ist 2,50 Meter breit und von der Straße durch einen Grünstreifen getrennt.",
        state=Project.State.PLANNED,
        village="Ebendorf",
        budget_cents=980_000_00,
        funding="Förderprogramm des Bundes für den Radverkehr: 75 % der Kosten.\n"
        "Den Rest zahlt die Gemeinde Barleben.",
        start=5,
        end=14,
        geometry={
            "type": "LineString",
            "coordinates": [
                [11.5846, 52.1762],
                [11.5952, 52.1840],
                [11.6071, 52.1921],
                [11.6158, 52.1983],
            ],
        },
        phases=(
            DemoPhase("Vorplanung", "done", -8, -4),
            DemoPhase("Genehmigungsplanung und Förderantrag", "in_progress", -3, 3),
            DemoPhase("Bau", "planned", 5, 14),
        ),
        colour=(20, 110, 160),
        plan="Trassenplan des Radwegs",
    ),
    DemoProject(
        slug="sanierung-dorfgemeinschaftshaus-meitzendorf",
        title="Sanierung des Dorfgemeinschaftshauses Meitzendorf",
        summary="Neues Dach, Wärmedämmung, Heizung mit Wärmepumpe und barrierefreie Toiletten.",
        description="Das Haus ist wieder für Vereine und Feiern geöffnet. Es verbraucht jetzt "
        "etwa die Hälfte der Energie von vorher.",
        state=Project.State.COMPLETED,
        village="Meitzendorf",
        budget_cents=615_000_00,
        funding="Förderung aus dem Programm zur Entwicklung ländlicher Räume: 390.000 €.\n"
        "Eigenmittel der Gemeinde Barleben: 225.000 €.",
        start=-22,
        end=-6,
        geometry={"type": "Point", "coordinates": [11.5604, 52.2113]},
        phases=(
            DemoPhase("Planung", "done", -28, -23),
            DemoPhase("Dach und Dämmung", "done", -22, -14),
            DemoPhase("Heizung und Innenräume", "done", -13, -7),
            DemoPhase("Wiedereröffnung", "done", -6, -6),
        ),
        colour=(30, 120, 60),
        plan="Grundriss des Dorfgemeinschaftshauses",
    ),
    DemoProject(
        slug="neubau-feuerwehrhaus-ebendorf",
        title="Neubau des Feuerwehrhauses Ebendorf",
        summary="Ein Feuerwehrhaus mit drei Stellplätzen, Umkleiden für Frauen und Männer und "
        "einem Schulungsraum.",
        description="Noch in Vorbereitung: der Entwurf wird im Bauausschuss beraten.",
        state=Project.State.PLANNED,
        village="Ebendorf",
        budget_cents=3_100_000_00,
        funding="Noch offen: ein Förderantrag beim Land ist in Vorbereitung.",
        start=14,
        end=30,
        geometry=None,
        phases=(DemoPhase("Entwurfsplanung", "in_progress", -2, 4),),
        colour=(170, 30, 40),
        plan="Entwurf des Feuerwehrhauses",
        published=False,
    ),
)


def _month(today: dt.date, months: int) -> dt.date:
    index = today.year * 12 + today.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def plan_drawing(title: str, plan: str, colour: tuple[int, int, int]) -> Image.Image:
    """A plan drawing (not a photo): grid, the building or route in colour, the title."""
    width, height = PLAN_SIZE
    image = Image.new("RGB", PLAN_SIZE, (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 40):
        draw.line([(x, 0), (x, height)], fill=(225, 225, 215))
    for y in range(0, height, 40):
        draw.line([(0, y), (width, y)], fill=(225, 225, 215))
    draw.rectangle([120, 200, 520, 480], outline=(90, 90, 90), width=4)
    draw.rectangle([520, 260, 820, 480], fill=colour, outline=(40, 40, 40), width=4)
    draw.line([(60, 560), (940, 520)], fill=(120, 120, 120), width=10)
    font = ImageFont.load_default(size=34)
    small = ImageFont.load_default(size=24)
    draw.text((40, 40), title, fill=(20, 20, 20), font=font)
    draw.text((40, 95), f"{plan} – Plandarstellung für die Demo", fill=(60, 60, 60), font=small)
    draw.text((560, 360), "neu", fill=(255, 255, 255), font=font)
    return image


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=DEMO_AUTHORITY).first()
    if authority is None:
        return
    today = dt.date.today()
    villages = {place.name: place for place in Locality.objects.filter(authority=authority)}
    for item in PROJECTS:
        project = tally.upsert(
            Project,
            {"authority": authority, "slug": item.slug},
            {
                "title": item.title,
                "summary": item.summary,
                "description": f"{item.description}\n\n{NOTE}",
                "state": item.state,
                "locality": villages.get(item.village),
                "budget_cents": item.budget_cents,
                "funding": item.funding,
                "starts_on": _month(today, item.start),
                "ends_on": _month(today, item.end + 1) - dt.timedelta(days=1),
                "geometry": item.geometry,
                "status": Publication.PUBLISHED if item.published else Publication.DRAFT,
            },
        )
        if item.published and project.published_at is None:
            project.published_at = project.created_at
            project.save(update_fields=["published_at"])
        for position, phase in enumerate(item.phases, start=1):
            tally.upsert(
                ProjectPhase,
                {"project": project, "title": phase.title},
                {
                    "state": phase.state,
                    "description": phase.description,
                    "starts_on": _month(today, phase.start),
                    "ends_on": _month(today, phase.end + 1) - dt.timedelta(days=1),
                    "position": position,
                },
            )
        if not project.pictures.exists():
            stored = store_drawn(
                plan_drawing(item.title, item.plan, item.colour), f"{item.slug}-plan.png"
            )
            ProjectPicture.objects.create(
                project=project, file=stored.file, display=stored.display,
                width=stored.width, height=stored.height, position=1,
                alt_text=f"Plandarstellung: {item.plan}, gezeichnet für die Demo (kein Foto).",
                caption=f"{item.plan} (Plandarstellung)",
            )  # fmt: skip
            tally["ProjectPicture: created"] += 1
    _keeper(tally)


def _keeper(tally: Tally) -> None:
    """The demo's building office keeps the projects: its clerk is in the group "Baustellen"
    and so holds ``construction.change_project`` in the authority of their unit."""
    user = get_user_model().objects.filter(username=DEMO_KEEPER).first()
    if user is None:
        return
    role = roles.role(ROLE)
    # as the migration grants them (again, should the tables have been emptied since)
    role.permissions.add(*Permission.objects.filter(
        content_type__app_label="construction",
        codename__in=[f"{action}_{model}" for action in ("add", "change", "delete", "view")
                      for model in ("project", "projectphase", "projectpicture")],
    ))  # fmt: skip
    # The group itself, not a further membership: the demo keeps one membership per person.
    if not user.groups.filter(pk=role.pk).exists():
        user.groups.add(role)
        tally["Group member: added"] += 1

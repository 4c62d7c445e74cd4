"""Demo digital projects of Barleben with the facts of the town's council papers IV-0012/2020
("Vorgelagerte Gesamtübersicht aller Digitalisierungsprojekte") and IV-003/2022 (annex
"Realisierungsstand der Digitalisierungsprojekte"): the Digitalisierungszentrum, the Smart City
model project, the 5G campus in the Technologiepark Ostfalen, the OZG implementation and the
DigitalPakt Schule. Amounts, periods, the extension, dates and partners are those of the
papers; where a paper names no amount (5G, OZG, DigitalPakt), no grant is recorded.

Loading again changes nothing: projects are keyed by title, their parts by their own text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from rathaus.core.demo import Tally
from rathaus.core.models import Authority, OrgUnit
from rathaus.projects.models import (
    Extension,
    Grant,
    Milestone,
    PaperLink,
    Programme,
    Project,
    ReportDeadline,
    Risk,
    Status,
)

AUTHORITY = "barleben"
UNIT = "digitales"
RESPONSIBLE = "digitales"
D = dt.date

PAPERS = {
    "IV-0012/2020": (
        "Vorgelagerte Gesamtübersicht aller Digitalisierungsprojekte der Gemeinde Barleben"
    ),
    "IV-003/2022": "Realisierungsstand der Digitalisierungsprojekte der Gemeinde Barleben",
}

PROJECTS: list[dict] = [  # type: ignore[type-arg]
    {
        "title": "Digitalisierungszentrum Barleben",
        "goal": "Eine weiterführende Digitalstrategie für die Gemeinde Barleben erarbeiten, eine "
        "Personalie für Digitalthemen schaffen und finanzieren, digitale Kompetenzen zur "
        "Umsetzung der Digitalprojekte aufbauen.",
        "partners": "",
        "status_note": "Die Digitalwerkstatt Villa 147 (Breiteweg 147, 1. Etage) ist am "
        "22.04.2021 eröffnet worden; Sprechzeit für alle dienstags und donnerstags 15–18 Uhr. "
        "Die Projektstelle ist besetzt. Die Digitalstrategie 1.0 wird als Verwendungsnachweis "
        "vorgelegt; danach soll die Digitalwerkstatt in das Projekt Smart City überführt werden.",
        "papers": {**PAPERS, "BV-0081/2020": "Projekt – Digitales Kompetenzzentrum"},
        "milestones": [
            (
                "Antrag beim Ministerium für Wirtschaft, Wissenschaft und Digitalisierung gestellt",
                D(2020, 8, 11),
                D(2020, 8, 11),
            ),
            ("Digitalwerkstatt Villa 147 offiziell eröffnet", D(2021, 4, 22), D(2021, 4, 22)),
            ("Digitalstrategie 1.0 als Verwendungsnachweis vorgelegt", D(2022, 4, 30), None),
        ],
        "risks": [
            (
                "Das für Videokonferenzen bestellte digitale Board ist noch nicht geliefert.",
                "low",
                "Lieferung beim Auftragnehmer verfolgen.",
            ),
        ],
        "grant": {
            "programme": (
                "Regionale Digitalisierungszentren",
                "Ministerium für Infrastruktur und Digitales des Landes Sachsen-Anhalt "
                "(bis 2021 Ministerium für Wirtschaft, Wissenschaft und Digitalisierung)",
                "Förderrichtlinie für die Errichtung von regionalen "
                "Digitalisierungszentren als Leit- und Koordinierungsstellen für "
                "Digitalisierung (Digitale Agenda Sachsen-Anhalt)",
            ),
            "amount_cents": 8_000_000,
            "eligible_cents": 10_000_000,
            "own_share_percent": Decimal(20),
            "period_start": D(2021, 2, 1),
            "period_end": D(2021, 12, 31),
            "extensions": [
                (
                    D(2022, 4, 30),
                    "Coronabedingt gewährte Verlängerung der "
                    "Projektlaufzeit; die Workshops zur Maßnahmenentwicklung können "
                    "noch durchgeführt werden.",
                )
            ],
            "deadlines": [("Verwendungsnachweis (Digitalstrategie 1.0)", D(2022, 4, 30))],
        },
    },
    {
        "title": "Modellprojekt Smart City Barleben",
        "goal": "Ein Konzept für eine moderne und langfristige Gemeindeentwicklung erarbeiten "
        "(Strategiephase 2020–2022) und die geplanten Maßnahmen umsetzen (2022–2027), mit allen "
        "drei Ortschaften, der Einwohnerschaft und den Unternehmen.",
        "partners": "Bundesministerium des Innern, für Bau und Heimat\nKompetenzzentrum KOINNO"
        "\nKITU eG",
        "status_note": "Die Strategiephase läuft; die Organisationsentwicklung ist durch "
        "Personalweggänge verzögert. Logowettbewerb und Bürgerumfrage sind abgeschlossen, "
        "www.smart-barleben.de ist am Start.",
        "papers": {**PAPERS, "BV-0082/2020": "Projekt – Smart-Cities"},
        "milestones": [
            ("Bewerbung beim BMI eingereicht", D(2020, 5, 20), D(2020, 5, 20)),
            ("Zusage erhalten (Maßnahmenbeginn)", D(2020, 9, 8), D(2020, 9, 8)),
            ("Smart-City-Strategie dem Gemeinderat zur Abstimmung vorgelegt", D(2022, 9, 30), None),
        ],
        "risks": [
            (
                "Organisationsentwicklung verzögert durch Personalweggänge, langwierige "
                "Einstellungsverfahren und coronabedingte Abwesenheiten.",
                "high",
                "Reorganisation des Bereichs IT zum Bereich Digitales; Arbeitsgruppen besetzen.",
            ),
            (
                "Das Vergaberecht ist mit den Anforderungen des Smart-City-Programms nicht gut "
                "kompatibel.",
                "medium",
                "Mit Vergabestelle, KOINNO und KITU nach einer angemessenen Lösung suchen.",
            ),
            (
                "Die Abgabe der Smart-City-Strategie kann sich verzögern.",
                "medium",
                "Verlängerung um 6 Monate beantragen (Antrag in Vorbereitung).",
            ),
        ],
        "grant": {
            "programme": (
                "Modellprojekte Smart Cities",
                "Bundesministerium des Innern, für Bau und Heimat (BMI)",
                "Modellprojekte Smart Cities, Strategiephase",
            ),
            "amount_cents": 36_681_600,
            "eligible_cents": 56_433_300,
            "own_share_percent": Decimal(35),
            "cofinancing_by": "Ministerium für Wirtschaft, Wissenschaft und Digitalisierung "
            "des Landes Sachsen-Anhalt (Zusage über eine anteilige Unterstützung des "
            "Eigenanteils; Betrag nicht in der Vorlage)",
            "period_start": D(2020, 11, 1),
            "period_end": D(2022, 10, 31),
            "extensions": [],
            "deadlines": [],
        },
    },
    {
        "title": "5G Industrial Working + Co-Working für den Mittelstand",
        "goal": "Eine lokal begrenzte, industriell genutzte 5G-Umgebung im Technologiepark "
        "Ostfalen als Musterlösung errichten und industrielle Anwendungsszenarien unter realen "
        "5G-Bedingungen entwickeln.",
        "partners": "ifak Magdeburg\nTeleport GmbH\nIGZ GmbH\nZweckverband TPO\nHoriba Fuelcon "
        "GmbH\nSLM\nYellow Ant GmbH\nIKAM\nFraimtec GmbH",
        "status_note": "Förderzeitraum 01.02.2021 bis 31.01.2024 (Verbundprojekt des "
        "5G-Wettbewerbs des Bundesministeriums für Verkehr und digitale Infrastruktur). Der "
        "Mast auf dem Dach des IGZ ist montiert, die Campuslizenzen sind erteilt.",
        "papers": {**PAPERS, "BV-0083/2020": "Projekt – 5G / Phase 2"},
        "milestones": [
            (
                "Konzept zur Umsetzungsförderung beim BMVI eingereicht",
                D(2020, 8, 31),
                D(2020, 8, 31),
            ),
            ("Zuschlag als Verbundprojekt", D(2020, 11, 5), D(2020, 11, 5)),
            ("Konsortialvertrag geschlossen", D(2021, 3, 31), D(2021, 3, 31)),
            ("Installation der 5G-Antennen im TPO", D(2022, 3, 31), None),
            ("Ende des Förderzeitraums", D(2024, 1, 31), None),
        ],
        "risks": [
            (
                "Verschiebungen in den Zeit- und Arbeitsplänen durch Lieferschwierigkeiten bei "
                "Elektronik und Corona.",
                "medium",
                "Verschiebungen werden innerhalb des Projektzeitraums kompensiert.",
            ),
        ],
    },
    {
        "title": "Umsetzung des Onlinezugangsgesetzes (OZG)",
        "goal": "Die Verwaltungsleistungen der Gemeinde digital verfügbar machen: Übersicht der "
        "Dienste, Priorisierung, Prüfung der Fachverfahren, Prozesse vom Antrag bis zum "
        "Bescheid, Nachnutzung mit anderen Kommunen.",
        "partners": "KITU eG\nMinisterium für Infrastruktur und Digitales\nLandkreis Börde",
        "status_note": "Die Onlineterminvergabe des Einwohnermeldeamtes ist im Einsatz; die "
        "Versammlungsanzeige wurde im Test-Projekt des MID aufgebaut; das Urkundenportal ist "
        "beauftragt.",
        "papers": PAPERS,
        "milestones": [
            (
                "Versammlungsanzeige im Test-Projekt des MID aufgebaut",
                D(2021, 12, 31),
                D(2021, 12, 31),
            ),
            ("Frist des OZG: Verwaltungsleistungen digital verfügbar", D(2022, 12, 31), None),
        ],
        "risks": [
            (
                "Personalabfluss; die Verwaltungsorganisation ist nicht abgeschlossen.",
                "high",
                "Leistungsfähige Arbeitsgruppe für Digitalisierung, IT und Prozessmanagement.",
            ),
            (
                "Das Urkundenportal verzögert sich wegen der Personaldecke im "
                "Einwohnermeldeamt/Standesamt.",
                "medium",
                "",
            ),
        ],
    },
    {
        "title": "DigitalPakt Schule",
        "goal": "Die Grundschule und die Gemeinschaftsschule Barleben mit digitaler Technik "
        "ausstatten, das Schulpersonal schulen und einen zuverlässigen IT-Support vorhalten.",
        "partners": "Grundschule Barleben\nGemeinschaftsschule Barleben",
        "status_note": 'Die Endgerätetechnik ist beschafft und installiert (26 Displays 86", '
        "170 iPads, 290 Laptops); Schulungen durch externe Partner sind durchgeführt.",
        "papers": {"IV-003/2022": PAPERS["IV-003/2022"]},
        "milestones": [
            ("Endgerätetechnik beschafft und installiert", D(2021, 5, 31), D(2021, 5, 31)),
            (
                "Personelle Unterstützung für Betrieb und Betreuung der Schul-IT",
                D(2022, 4, 1),
                None,
            ),
        ],
        "risks": [
            (
                "Für das Personal der Schul-IT gibt es noch keine Förderrichtlinie.",
                "high",
                "Richtlinien abwarten, um alle Mittel abzuschöpfen.",
            ),
        ],
    },
]


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    unit = OrgUnit.objects.filter(authority=authority, slug=UNIT).first()
    if authority is None or unit is None:
        return
    person = get_user_model().objects.filter(username=RESPONSIBLE).first()
    for position, spec in enumerate(PROJECTS, start=1):
        project = tally.upsert(
            Project,
            {"authority": authority, "title": spec["title"]},
            {
                "goal": spec["goal"],
                "unit": unit,
                "responsible": person,
                "partners": spec["partners"],
                "status": Status.RUNNING,
                "status_note": spec["status_note"],
                "public": True,
                "position": position,
            },
        )
        for reference, title in spec["papers"].items():
            tally.upsert(PaperLink, {"project": project, "reference": reference}, {"title": title})
        for title, due_on, reached_on in spec["milestones"]:
            tally.upsert(
                Milestone,
                {"project": project, "title": title},
                {"due_on": due_on, "reached_on": reached_on},
            )
        for description, likelihood, measure in spec["risks"]:
            tally.upsert(
                Risk,
                {"project": project, "description": description},
                {"likelihood": likelihood, "measure": measure},
            )
        if "grant" in spec:
            _grant(tally, authority, project, spec["grant"])


def _grant(tally: Tally, authority: Authority, project: Project, spec: dict) -> None:  # type: ignore[type-arg]
    name, funder, guideline = spec["programme"]
    programme = tally.upsert(
        Programme,
        {"authority": authority, "name": name},
        {"funder": funder, "guideline": guideline},
    )
    grant = tally.upsert(
        Grant,
        {"project": project, "programme": programme},
        {
            name: spec.get(name, default)
            for name, default in (
                ("amount_cents", 0),
                ("eligible_cents", 0),
                ("own_share_percent", 0),
                ("cofinancing_cents", 0),
                ("cofinancing_by", ""),
                ("period_start", None),
                ("period_end", None),
            )
        },
    )
    for new_end, reason in spec["extensions"]:
        tally.upsert(Extension, {"grant": grant, "new_end": new_end}, {"reason": reason})
    for title, due_on in spec["deadlines"]:
        tally.upsert(ReportDeadline, {"grant": grant, "title": title}, {"due_on": due_on})

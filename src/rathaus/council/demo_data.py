"""What the council demo of Barleben contains (loaded by :mod:`rathaus.council.demo`).

The organisations and the papers about the digital projects are real: the committees that
consulted IV-0012/2020 (Bauausschuss, Sozialausschuss, Finanzausschuss, Hauptausschuss,
Gemeinderat, December 2020), the paper numbers and subjects of IV-0012/2020, BV-0081/2020,
BV-0082/2020, BV-0083/2020 and IV-003/2022, and the facts their demo texts summarise (from the
public papers in ``/work/shared/context``). Everything else is invented for the demo: the
factions, all persons (obviously fictional names), the results, IV-003/2022's consultation dates
and the current papers. Current meetings are given in days from the day of loading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TERM_START = (2024, 7, 1)
TERMS = (
    ("Wahlperiode 2019–2024", (2019, 7, 1), (2024, 6, 30)),
    ("Wahlperiode 2024–2029", TERM_START, (2029, 6, 30)),
)

COUNCIL = "Gemeinderat"
COMMITTEES = ("Hauptausschuss", "Bauausschuss", "Sozialausschuss", "Finanzausschuss")
GENITIVE = {
    "Gemeinderat": "des Gemeinderates",
    "Hauptausschuss": "des Hauptausschusses",
    "Bauausschuss": "des Bauausschusses",
    "Sozialausschuss": "des Sozialausschusses",
    "Finanzausschuss": "des Finanzausschusses",
}
# name, short name
FACTIONS = (
    ("Fraktion Bürger für Barleben", "BfB"),
    ("Fraktion Gemeinsam für die Ortsteile", "GfO"),
    ("Fraktion Zukunft Mittelland", "ZM"),
    ("Fraktion Offene Liste", "OL"),
)

MAYOR = ("Herr", "Rainer", "Rathausmann")
# form of address, title, given name, family name, faction (index into FACTIONS)
MEMBERS = (
    ("Frau", "", "Anna", "Ahornblatt", 0),
    ("Herr", "", "Bernd", "Buchenhain", 0),
    ("Frau", "Dr.", "Clara", "Chronik", 0),
    ("Herr", "", "Dieter", "Dorfplatz", 0),
    ("Frau", "", "Elke", "Erlenbruch", 0),
    ("Herr", "", "Felix", "Feldrain", 0),
    ("Frau", "", "Greta", "Gartenzaun", 1),
    ("Herr", "", "Heinz", "Heckenrose", 1),
    ("Frau", "", "Ida", "Immergrün", 1),
    ("Herr", "", "Jens", "Jahrmarkt", 1),
    ("Frau", "", "Karin", "Kirschblüte", 1),
    ("Herr", "", "Lutz", "Lindenallee", 1),
    ("Frau", "", "Marta", "Mühlenteich", 2),
    ("Herr", "", "Norbert", "Nussbaum", 2),
    ("Frau", "", "Olga", "Obstwiese", 2),
    ("Herr", "", "Paul", "Pappelweg", 2),
    ("Frau", "", "Renate", "Rübenfeld", 2),
    ("Herr", "", "Stefan", "Sonnenblume", 3),
    ("Frau", "", "Tanja", "Talsperre", 3),
    ("Herr", "", "Uwe", "Uferweg", 3),
)
FACTION_CHAIRS = (0, 6, 12, 17)  # indexes into MEMBERS
# A resident who advises the social committee without a vote (sachkundige Einwohnerin).
ADVISER = ("Frau", "", "Wilma", "Wiesengrund")
# committee: (chair, further members), indexes into MEMBERS; the mayor chairs the Hauptausschuss
COMMITTEE_MEMBERS = {
    "Hauptausschuss": (None, (0, 3, 6, 9, 12, 17)),
    "Bauausschuss": (1, (4, 7, 10, 13, 18)),
    "Sozialausschuss": (8, (2, 5, 11, 14, 19)),
    "Finanzausschuss": (15, (0, 3, 6, 9, 16)),
}


@dataclass(frozen=True)
class DemoMeeting:
    number: int  # the meeting's number in its organisation's series
    organization: str
    day: tuple[int, int, int] | int  # a date, or days from the day of loading
    held: bool = False
    invited: bool = False
    cancelled: bool = False
    place: str = "ratssaal"
    closed_items: tuple[str, ...] = ()  # non-public agenda items

    @property
    def name(self) -> str:
        return f"{self.number}. Sitzung {GENITIVE[self.organization]}"


MEETINGS = (
    DemoMeeting(28, "Bauausschuss", (2020, 12, 1), held=True),
    DemoMeeting(27, "Sozialausschuss", (2020, 12, 2), held=True),
    DemoMeeting(29, "Finanzausschuss", (2020, 12, 3), held=True),
    DemoMeeting(31, "Hauptausschuss", (2020, 12, 8), held=True),
    DemoMeeting(33, "Gemeinderat", (2020, 12, 15), held=True),
    DemoMeeting(41, "Hauptausschuss", (2022, 3, 8), held=True),
    DemoMeeting(43, "Gemeinderat", (2022, 3, 22), held=True),
    DemoMeeting(12, "Finanzausschuss", -65, held=True),
    DemoMeeting(13, "Bauausschuss", -58, held=True),
    DemoMeeting(13, "Sozialausschuss", -44, held=True),
    DemoMeeting(14, "Bauausschuss", -30, held=True),
    DemoMeeting(13, "Finanzausschuss", -23, held=True, place="digitalwerkstatt"),
    DemoMeeting(15, "Hauptausschuss", -16, held=True,
                closed_items=("Vergabe von Bauleistungen für den Buschweg",)),
    DemoMeeting(16, "Gemeinderat", -9, held=True),
    DemoMeeting(15, "Bauausschuss", 6, invited=True),
    DemoMeeting(14, "Sozialausschuss", 8, cancelled=True),
    DemoMeeting(14, "Finanzausschuss", 13),
    DemoMeeting(16, "Hauptausschuss", 20),
    DemoMeeting(17, "Gemeinderat", 27,
                closed_items=("Personalangelegenheit: Besetzung einer Stelle im Bauamt",)),
)  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One consultation: the meeting (organisation and number), the role and the result."""

    organization: str
    number: int
    role: str
    result: str = ""  # empty: not consulted yet
    resolution: str = ""


@dataclass(frozen=True)
class DemoPaper:
    reference: str  # "{year}" is the year of the paper's date
    name: str
    paper_type: str
    day: tuple[int, int, int] | int
    text: tuple[str, ...]
    steps: tuple[Step, ...]
    by_faction: str = ""
    related: tuple[str, ...] = field(default=())


NOTED = "zur Kenntnis genommen"
DIGITAL_STEPS = (
    Step("Bauausschuss", 28, "Kenntnisnahme", NOTED),
    Step("Sozialausschuss", 27, "Kenntnisnahme", NOTED),
    Step("Finanzausschuss", 29, "Kenntnisnahme", NOTED),
    Step("Hauptausschuss", 31, "Kenntnisnahme", NOTED),
    Step("Gemeinderat", 33, "Kenntnisnahme", NOTED),
)
DEMO_NOTE = ("Kurzfassung für die Demo von rathaus. Die Angaben stammen aus der öffentlichen "
             "Vorlage der Gemeinde Barleben.")  # fmt: skip


def _decision(subject: str) -> tuple[Step, ...]:
    return (
        Step("Hauptausschuss", 31, "Vorberatung", "einstimmig empfohlen"),
        Step("Gemeinderat", 33, "Entscheidung", "beschlossen",
             f"Der Gemeinderat beschließt die Durchführung des Projekts „{subject}“."),
    )  # fmt: skip


PAPERS = (
    DemoPaper(
        "IV-0012/2020",
        "Vorgelagerte Gesamtübersicht aller Digitalisierungsprojekte der Gemeinde Barleben",
        "Informationsvorlage", (2020, 10, 26),
        (
            "Beschlussvorschlag: Die Informationsvorlage wird zur Kenntnis genommen.",
            "Die Vorlage gibt den Überblick vor den Beschlussvorlagen BV-0081/2020 "
            "(Digitales Kompetenzzentrum), BV-0082/2020 (Smart City) und BV-0083/2020 "
            "(5G, Phase 2), die Hauptausschuss und Gemeinderat zur Entscheidung vorliegen.",
            "1. Digitalisierungszentrum Barleben: gefördert nach der Digitalen Agenda des "
            "Landes Sachsen-Anhalt; Antrag vom 11.08.2020; Ziel ist eine Digitalstrategie.",
            "2. Smart City Barleben: Modellprojekt Smart City des Bundes; Zusage am 08.09.2020; "
            "Strategiephase 2020–2022, Umsetzung 2022–2027.",
            "3. 5G Industrial Working im Technologiepark Ostfalen: Zuschlag am 05.11.2020; "
            "Förderzeitraum 01.02.2021 bis 31.01.2024.",
            "4. Umsetzung des Onlinezugangsgesetzes (OZG): Antragsmanagement, Prozesse und "
            "E-Akte fehlen noch weitgehend. 5. Schul-IT: Bericht folgt.",
            DEMO_NOTE,
        ),
        DIGITAL_STEPS,
        related=("BV-0081/2020", "BV-0082/2020", "BV-0083/2020"),
    ),
    DemoPaper(
        "BV-0081/2020", "Projekt – Digitales Kompetenzzentrum", "Beschlussvorlage",
        (2020, 11, 20),
        ("Die Gemeinde richtet ein Digitalisierungszentrum als Leit- und Koordinierungsstelle "
         "für Digitalisierung ein. Das Land fördert Personal- und Sachkosten als "
         "Anschubfinanzierung für höchstens zwei Jahre.", DEMO_NOTE),
        _decision("Digitales Kompetenzzentrum"),
    ),
    DemoPaper(
        "BV-0082/2020", "Projekt – Smart-Cities", "Beschlussvorlage", (2020, 11, 20),
        ("Die Gemeinde nimmt am Modellprojekt Smart City des Bundes teil: zuerst eine "
         "Smart-City-Strategie, danach ihre Umsetzung, mit Beteiligung aller drei Ortschaften.",
         DEMO_NOTE),
        _decision("Smart-Cities"),
    ),
    DemoPaper(
        "BV-0083/2020", "Projekt – 5G / Phase 2", "Beschlussvorlage", (2020, 11, 20),
        ("Im Technologiepark Ostfalen entsteht mit ansässigen Unternehmen eine lokale, "
         "industriell genutzte 5G-Umgebung als übertragbare Musterlösung.", DEMO_NOTE),
        _decision("5G / Phase 2"),
    ),
    DemoPaper(
        "IV-003/2022", "Realisierungsstand der Digitalisierungsprojekte der Gemeinde Barleben",
        "Informationsvorlage", (2022, 2, 21),
        ("Beschlussvorschlag: Die Informationsvorlage wird zur Kenntnis genommen.",
         "Digitalisierungszentrum: Förderung 80.000 Euro; die Digitalwerkstatt Villa 147 im "
         "Breiteweg 147 wurde am 22. April 2021 eröffnet; offene Sprechzeit dienstags und "
         "donnerstags von 15 bis 18 Uhr.",
         "Smart City: Förderung der Strategiephase 366.816 Euro (11/2020 bis 10/2022).",
         "5G Industrial Working: Projektstart am 30.12.2020, drei Jahre Laufzeit.",
         "OZG: Online-Terminvergabe im Einwohnermeldeamt, Test der Versammlungsanzeige mit dem "
         "Landkreis Börde.", DEMO_NOTE),
        (Step("Hauptausschuss", 41, "Kenntnisnahme", NOTED),
         Step("Gemeinderat", 43, "Kenntnisnahme", NOTED)),
        related=("IV-0012/2020",),
    ),
    DemoPaper(
        "BV-0127/{year}",
        "Bebauungsplan Nr. 42 „Am Kanal“ – Billigung des Entwurfs und öffentliche "
        "Auslegung (Demo)",
        "Beschlussvorlage", -45,
        ("Der Entwurf des Bebauungsplans Nr. 42 „Am Kanal“ (Demo) wird gebilligt und "
         "nach § 3 Abs. 2 Baugesetzbuch öffentlich ausgelegt. Er schafft Bauland für etwa 40 "
         "Wohnhäuser am Mittellandkanal.",
         "Die Stellungnahmen aus der frühzeitigen Beteiligung wurden abgewogen.",
         "Erfundene Vorlage für die Demo von rathaus."),
        (Step("Bauausschuss", 14, "Entscheidung", "einstimmig beschlossen",
              "Der Bauausschuss billigt den Entwurf des Bebauungsplans Nr. 42 „Am "
              "Kanal“ und beschließt seine öffentliche Auslegung nach § 3 Abs. 2 "
              "Baugesetzbuch."),),
    ),
    DemoPaper(
        "BV-0131/{year}", "Haushaltssatzung und Haushaltsplan für das Haushaltsjahr 2027 (Demo)",
        "Beschlussvorlage", -35,
        ("Die Haushaltssatzung der Gemeinde Barleben mit dem Haushaltsplan für das "
         "Haushaltsjahr 2027 wird beschlossen.",
         "Schwerpunkte sind die Schulen, der Ausbau von Straßen und die Digitalwerkstatt.",
         "Erfundene Vorlage für die Demo von rathaus."),
        (Step("Finanzausschuss", 13, "Vorberatung", "mehrheitlich empfohlen"),
         Step("Hauptausschuss", 15, "Vorberatung", "mehrheitlich empfohlen"),
         Step("Gemeinderat", 16, "Entscheidung", "mehrheitlich beschlossen",
              "Der Gemeinderat beschließt die Haushaltssatzung der Gemeinde Barleben für das "
              "Haushaltsjahr 2027 mit dem Haushaltsplan.")),
    ),
    DemoPaper(
        "IV-0115/{year}", "Bericht zur Haushaltslage nach dem dritten Quartal (Demo)",
        "Informationsvorlage", -72,
        ("Die Kämmerei berichtet über Erträge und Aufwendungen bis zum 30. September. Die "
         "Gewerbesteuer liegt im Plan, die Energiekosten der Schulen darüber.",
         "Erfundene Vorlage für die Demo von rathaus."),
        (Step("Finanzausschuss", 12, "Kenntnisnahme", NOTED),),
    ),
    DemoPaper(
        "BV-0117/{year}", "Neuer Gehweg in der Schulstraße in Ebendorf (Demo)",
        "Beschlussvorlage", -66,
        ("Der Gehweg in der Schulstraße wird auf 2,50 Meter verbreitert und barrierefrei "
         "erneuert, damit Kinder sicher zur Grundschule gehen können.",
         "Erfundene Vorlage für die Demo von rathaus."),
        (Step("Bauausschuss", 13, "Entscheidung", "einstimmig beschlossen",
              "Der Bauausschuss beschließt die Erneuerung des Gehwegs in der Schulstraße."),),
    ),
    DemoPaper(
        "BV-0122/{year}", "Zuschuss für den Seniorentreff in Meitzendorf (Demo)",
        "Beschlussvorlage", -52,
        ("Der Seniorentreff in Meitzendorf erhält im kommenden Jahr einen Zuschuss von "
         "3.000 Euro für Ausflüge und Kurse.",
         "Erfundene Vorlage für die Demo von rathaus."),
        (Step("Sozialausschuss", 13, "Entscheidung", "einstimmig beschlossen",
              "Der Sozialausschuss beschließt den Zuschuss für den Seniorentreff in "
              "Meitzendorf."),),
    ),
    DemoPaper(
        "A-0019/{year}", "Sitzbänke an der Bushaltestelle in Meitzendorf", "Antrag", -12,
        ("Die Fraktion beantragt zwei Sitzbänke mit Lehne an der Bushaltestelle in der Ortsmitte "
         "von Meitzendorf, damit ältere Fahrgäste sitzend warten können.",
         "Erfundener Antrag für die Demo von rathaus."),
        (Step("Bauausschuss", 15, "Vorberatung"),
         Step("Gemeinderat", 17, "Entscheidung")),
        by_faction="Fraktion Gemeinsam für die Ortsteile",
    ),
)  # fmt: skip

# agenda items every meeting opens and closes with
OPENING = ("Eröffnung und Feststellung der Beschlussfähigkeit",
           "Feststellung der Tagesordnung")  # fmt: skip
CLOSING = ("Anfragen und Anregungen",)

"""Demo official notices of Barleben: four on display, one scheduled for next week and two in
the archive with their display records.

Clearly demo content (every text says "Demo"), dates relative to the day of the first load:
the texts name concrete dates (``{start}``, ``{last}``, … are filled in when a notice is created).
The draft of the Bebauungsplan Nr. 42 „Am Kanal“ (which the council demo adopts) is attached as a
small PDF.
A notice that exists already (keyed by a fixed ``uid``) is left as it is: its display records
are written once and its period cannot move afterwards, so loading again changes nothing.
The history goes through :mod:`rathaus.noticeboard.publication` like the worker's steps.
The demo clerk of the Bürgerbüro keeps the notices (group "Bekanntmachungen").
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from rathaus.core import roles
from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.noticeboard import keepers, publication
from rathaus.noticeboard.models import Category, Notice, NoticeAttachment

AUTHORITY = "barleben"
DEMO_KEEPER = "buergerbuero"
NAMESPACE = uuid.UUID("3b0c8f7e-2d55-4f0e-9a3c-6a4e1f7b9d21")
SIGNATURE = "Der Bürgermeister (Demo: Frank Beispielmann)"


@dataclass(frozen=True)
class DemoNotice:
    key: str
    title: str
    category: str
    summary: str
    text: str
    start: int  # days from today
    end: int  # days from today
    signed: int  # days from today
    attachment: tuple[str, list[str]] | None = None  # title, paragraphs of a small PDF

    @property
    def uid(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, self.key)


NOTICES = (
    DemoNotice(
        "satzung-kita-gebuehren",
        "Satzung über die Gebühren der Kindertageseinrichtungen der Gemeinde Barleben",
        Category.STATUTES,
        "Der Gemeinderat hat neue Gebühren für Krippe, Kindergarten und Hort beschlossen. Sie "
        "gelten ab dem {fees_from}.",
        "Demo-Bekanntmachung.\n\nAufgrund der §§ 5, 8 und 45 des Kommunalverfassungsgesetzes "
        "des Landes Sachsen-Anhalt hat der Gemeinderat der Gemeinde Barleben in seiner Sitzung "
        "am {adopted} die folgende Satzung beschlossen:\n\n§ 1 Geltungsbereich\nDiese Satzung "
        "gilt für die Kindertageseinrichtungen der Gemeinde Barleben.\n\n§ 2 Gebühren\n"
        "Die Gebühren ergeben sich aus der Anlage.\n\n§ 3 Inkrafttreten\n"
        "Diese Satzung tritt am {fees_from} in Kraft.",
        -4,
        10,
        -6,
    ),
    DemoNotice(
        "haushaltssatzung-2027",
        "Haushaltssatzung der Gemeinde Barleben für das Haushaltsjahr 2027",
        Category.BUDGET,
        "Der Gemeinderat hat den Haushalt 2027 am {adopted} beschlossen. Den Haushaltsplan "
        "können Sie vom {start} bis {last} im Rathaus einsehen.",
        "Demo-Bekanntmachung.\n\nAufgrund des § 102 des Kommunalverfassungsgesetzes des Landes "
        "Sachsen-Anhalt hat der Gemeinderat in seiner Sitzung am {adopted} die Haushaltssatzung "
        "für das Haushaltsjahr 2027 beschlossen.\n\n§ 1 Der Haushaltsplan wird im Ergebnisplan "
        "mit Erträgen und Aufwendungen festgesetzt.\n\nDer Haushaltsplan liegt vom {start} bis "
        "{last} im Rathaus, Zimmer 12, zur Einsicht aus.",
        -2,
        12,
        -5,
    ),
    DemoNotice(
        "bebauungsplan-42-auslegung",
        "Öffentliche Auslegung des Entwurfs des Bebauungsplans Nr. 42 „Am Kanal“",
        Category.PLANNING,
        "Der Entwurf des Bebauungsplans liegt vom {start} bis {last} aus. Bis zum {last} können "
        "alle eine Stellungnahme abgeben.",
        "Demo-Bekanntmachung.\n\nDer Bauausschuss hat am {adopted} den Entwurf des "
        "Bebauungsplans Nr. 42 „Am Kanal“ gebilligt und seine öffentliche Auslegung nach § 3 "
        "Abs. 2 Baugesetzbuch beschlossen.\n\nDer Entwurf mit Begründung ist unten angehängt. "
        "Er liegt vom {start} bis {last} auch im Bauamt aus. Stellungnahmen können Sie bis zum "
        "{last} schriftlich oder per E-Mail abgeben.",
        -7,
        24,
        -9,
        (
            "Entwurf des Bebauungsplans Nr. 42 „Am Kanal“ mit Begründung",
            [
                "Demo-Dokument der Gemeinde Barleben.",
                "Geltungsbereich: die Flächen zwischen dem Kanal und der Straße Am Kanal.",
                "Art der baulichen Nutzung: allgemeines Wohngebiet. Höchstens zwei Vollgeschosse.",
                "Begründung: Die Gemeinde braucht Bauland für Familien. Der Uferstreifen am Kanal "
                "bleibt als Grünfläche frei.",
            ],
        ),
    ),
    DemoNotice(
        "wahl-waehlerverzeichnis",
        "Bekanntmachung über das Recht auf Einsicht in das Wählerverzeichnis",
        Category.ELECTIONS,
        "Sie können prüfen, ob Sie richtig im Wählerverzeichnis stehen.",
        "Demo-Bekanntmachung.\n\nDas Wählerverzeichnis für die Wahl des Gemeinderates wird an "
        "den Werktagen während der Öffnungszeiten im Bürgerbüro für Wahlberechtigte zur Einsicht "
        "bereitgehalten. Wer das Wählerverzeichnis für unrichtig oder unvollständig hält, kann "
        "bis zum {last} Einspruch einlegen.",
        -1,
        13,
        -3,
    ),
    DemoNotice(
        "rathaus-feiertage",
        "Geänderte Öffnungszeiten des Rathauses zwischen den Feiertagen",
        Category.GENERAL,
        "Vom {start} bis {last} ist das Rathaus nur vormittags geöffnet.",
        "Demo-Bekanntmachung.\n\nDas Rathaus ist vom {start} bis {last} von 9 bis 12 Uhr "
        "geöffnet. Das Standesamt ist für Sterbefälle telefonisch erreichbar.",
        7,
        21,
        -1,
    ),
    DemoNotice(
        "hauptsatzung-aenderung",
        "Zweite Satzung zur Änderung der Hauptsatzung der Gemeinde Barleben",
        Category.STATUTES,
        "Öffentliche Bekanntmachungen erscheinen künftig auch im Internet.",
        "Demo-Bekanntmachung.\n\nArtikel 1\n§ 17 der Hauptsatzung erhält folgende Fassung: "
        "„Öffentliche Bekanntmachungen erfolgen durch Aushang und im Internet auf der Seite der "
        "Gemeinde.“\n\nArtikel 2\nDiese Satzung tritt am Tag nach ihrer Bekanntmachung in Kraft.",
        -45,
        -31,
        -47,
    ),
    DemoNotice(
        "osterfeuer-allgemeinverfuegung",
        "Allgemeinverfügung über das Abbrennen von Brauchtumsfeuern",
        Category.GENERAL,
        "Brauchtumsfeuer müssen eine Woche vorher angemeldet werden.",
        "Demo-Bekanntmachung.\n\nBrauchtumsfeuer sind der Gemeinde spätestens eine Woche vorher "
        "anzuzeigen. Es darf nur unbehandeltes Holz verbrannt werden.",
        -70,
        -56,
        -72,
    ),
)


def _midnight(today: dt.date, days: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time()))


def _day(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _dates(demo: DemoNotice, today: dt.date) -> dict[str, str]:
    """The concrete dates a demo text names: first and last day of the display, the day the
    decision was taken (three weeks before the signature) and the first of the month after next."""
    month = today.month + 1
    fees_from = dt.date(today.year + month // 12, month % 12 + 1, 1)
    return {
        "start": _day(today + dt.timedelta(days=demo.start)),
        "last": _day(today + dt.timedelta(days=demo.end - 1)),
        "adopted": _day(today + dt.timedelta(days=demo.signed - 21)),
        "fees_from": _day(fees_from),
    }


def _attach(notice: Notice, title: str, paragraphs: list[str]) -> None:
    """A small PDF attachment, written directly as the other demo files are."""
    from rathaus.core.files import store_bytes
    from rathaus.documents.demo_files import text_pdf

    content = text_pdf(title, paragraphs)
    stored = store_bytes(content, name="bebauungsplan-42-entwurf.pdf", media_type="application/pdf")
    NoticeAttachment.objects.create(notice=notice, title=title, file=stored, position=1)


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    if authority is None:
        return
    today = timezone.localdate()
    now = timezone.now()
    for demo in NOTICES:
        if Notice.objects.filter(uid=demo.uid).exists():
            tally["Notice: unchanged"] += 1
            continue
        start, end = _midnight(today, demo.start), _midnight(today, demo.end)
        dates = _dates(demo, today)
        notice = Notice.objects.create(
            uid=demo.uid, authority=authority, title=demo.title, category=demo.category,
            summary=demo.summary.format(**dates), text=demo.text.format(**dates),
            signed_place="Barleben",
            signed_on=today + dt.timedelta(days=demo.signed), signed_by=SIGNATURE,
            display_from=start, display_until=end, status=Notice.Status.SCHEDULED,
        )  # fmt: skip
        tally["Notice: created"] += 1
        if demo.attachment is not None:
            _attach(notice, *demo.attachment)
            tally["NoticeAttachment: created"] += 1
        if start <= now:
            publication.put_up(notice, start)
            tally["DisplayRecord: created"] += 1
        if end <= now:
            publication.take_down(notice, end)
            tally["DisplayRecord: created"] += 1
    _keeper(tally)


def _keeper(tally: Tally) -> None:
    """The demo clerk of the Bürgerbüro keeps the notices: the group "Bekanntmachungen" gives
    ``noticeboard.change_notice`` in the authority of their unit."""
    user = get_user_model().objects.filter(username=DEMO_KEEPER).first()
    if user is None:
        return
    role = roles.role(keepers.ROLE)
    # as the migration grants them (again, should the tables have been emptied since)
    role.permissions.add(*Permission.objects.filter(
        content_type__app_label="noticeboard",
        codename__in=[f"{action}_{model}" for action in ("add", "change", "delete", "view")
                      for model in ("notice", "noticeattachment", "screen", "slot")],
    ))  # fmt: skip
    if not user.groups.filter(pk=role.pk).exists():
        user.groups.add(role)
        tally["Group member: added"] += 1

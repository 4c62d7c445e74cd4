"""The council demo of Barleben (``rathaus demo-data``): the Gemeinderat with its committees
and factions, invented members, the council chamber, meetings before and after the day of
loading, and the papers about the digital projects (:mod:`rathaus.council.demo_data`).

Every row is keyed by a natural key of its council (the term's, organisation's and person's
name, the paper's reference, the meeting's name, the file's name), never by ``origin``, so that
loading again changes nothing; current meetings move with the day of loading. Papers, invitations
and minutes get a small PDF whose text is set, so the search finds them. The demo's clerk of the
Standesamt also keeps the council information (group "Ratsbüro").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from rathaus.core import roles
from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.council import demo_data as data
from rathaus.council.keepers import ROLE
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)

AUTHORITY = "barleben"
Item = tuple[str, bool, "data.Step | None", "Paper | None"]
"""An agenda item to load: subject, public, the consultation's step (result), the paper."""
DEMO_KEEPER = "standesamt"
"""The demo clerk who also keeps the council information (in the group "Ratsbüro")."""


def ready() -> None:
    """Called by ``CouncilConfig.ready()``: the council's part of the demo."""
    from rathaus.core import demo as core_demo

    core_demo.register_loader("council", load)
    core_demo.login_notes.append(
        "Demo council information: /rat/ (meetings, papers, persons, committees), OParl 1.1 at "
        f"/oparl/v1/; staff of the Ratsbüro: {DEMO_KEEPER}, /verwaltung/rat/"
    )


def load(tally: Tally) -> None:
    """Load the council demo; counted as "Council <Model>: …" beside the other apps' rows (the
    names File, Location and Membership are taken by them)."""
    authority = Authority.objects.filter(slug=AUTHORITY).first()
    if authority is None:
        return
    mine = Tally()
    _load(mine, authority)
    for key, count in mine.items():
        tally[f"Council {key}"] += count
    _keeper(tally)


def _load(tally: Tally, authority: Authority) -> None:
    today = timezone.localdate()
    body = tally.upsert(Body, {"authority": authority}, {
        "name": authority.name, "short_name": authority.city or authority.name,
        "ags": authority.ags[:8], "rgs": (authority.ars or "")[:12], "website": authority.website,
        "classification": "Gemeinde", "contact_name": "Ratsbüro",
        "contact_email": f"ratsbuero@{authority.slug}.example",
    })  # fmt: skip
    loader = _Loader(tally, body, authority, today)
    loader.terms()
    loader.places()
    loader.organizations()
    loader.persons()
    loader.meetings()
    loader.papers()


def _date(day: tuple[int, int, int] | int, today: dt.date) -> dt.date:
    return dt.date(*day) if isinstance(day, tuple) else today + dt.timedelta(days=day)


MEETING_WEEKDAYS = (1, 2, 3)
"""Councils meet on Tuesday, Wednesday or Thursday evenings."""


def meeting_day(day: tuple[int, int, int] | int, today: dt.date, taken: set[dt.date]) -> dt.date:
    """The day of a demo meeting: a fixed date as it is; a day counted from ``today`` moves on
    to the next Tuesday, Wednesday or Thursday outside 24 December to 1 January that no other
    demo meeting has taken (the same every time the demo is loaded on the same day)."""
    if isinstance(day, tuple):
        return dt.date(*day)
    found = today + dt.timedelta(days=day)
    while (
        found.weekday() not in MEETING_WEEKDAYS
        or found in taken
        or (found.month, found.day) >= (12, 24)
        or (found.month, found.day) == (1, 1)
    ):
        found += dt.timedelta(days=1)
    taken.add(found)
    return found


class _Loader:
    def __init__(self, tally: Tally, body: Body, authority: Authority, today: dt.date) -> None:
        self.tally, self.body, self.authority, self.today = tally, body, authority, today
        self.orgs: dict[str, Organization] = {}
        self.members: list[Person] = []
        self.meetings_by_key: dict[tuple[str, int], Meeting] = {}

    def upsert(self, model: type[Any], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
        return self.tally.upsert(model, {"body": self.body, **lookup}, values)

    def terms(self) -> None:
        for name, start, end in data.TERMS:
            self.upsert(LegislativeTerm, {"name": name},
                        {"start_date": dt.date(*start), "end_date": dt.date(*end)})  # fmt: skip

    def places(self) -> None:
        town = self.authority
        self.ratssaal = self.upsert(Location, {"description": "Rathaus Barleben, Ratssaal"}, {
            "street_address": town.street, "postal_code": town.postal_code,
            "locality": town.city, "room": "Ratssaal",
            "geojson": {"type": "Point", "coordinates": [11.6198, 52.2034]},
        })  # fmt: skip
        self.werkstatt = self.upsert(Location, {"description": "Digitalwerkstatt Villa 147"}, {
            "street_address": "Breiteweg 147", "postal_code": town.postal_code,
            "locality": town.city, "room": "1. Etage (Festsaal)", "geojson": None,
        })  # fmt: skip

    def organizations(self) -> None:
        start = dt.date(*data.TERM_START)
        council = self.upsert(Organization, {"name": data.COUNCIL}, {
            "organization_type": Organization.Type.COMMITTEE, "classification": "Gemeinderat",
            "short_name": "GR", "position": 0, "location": self.ratssaal,
            "post": ["Vorsitzender", "Mitglied"],
        })  # fmt: skip
        self.orgs[data.COUNCIL] = council
        for position, name in enumerate(data.COMMITTEES, start=1):
            self.orgs[name] = self.upsert(Organization, {"name": name}, {
                "organization_type": Organization.Type.COMMITTEE, "classification": "Ausschuss",
                "short_name": name[:2].upper(), "position": position, "location": self.ratssaal,
                "sub_organization_of": council, "post": ["Vorsitzender", "Mitglied"],
            })  # fmt: skip
        for position, (name, short) in enumerate(data.FACTIONS, start=10):
            self.orgs[name] = self.upsert(Organization, {"name": name}, {
                "organization_type": Organization.Type.FACTION, "classification": "Fraktion",
                "short_name": short, "position": position, "start_date": start,
                "sub_organization_of": council, "post": ["Vorsitz", "Mitglied"],
            })  # fmt: skip

    def person(self, address: str, title: str, given: str, family: str, status: list[str]) -> Any:
        name = " ".join(part for part in (title, given, family) if part)
        mail = f"{given}.{family}@rat.{self.authority.slug}.example".lower()
        mail = mail.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
        return self.upsert(Person, {"name": name}, {
            "form_of_address": address, "title": [title] if title else [], "given_name": given,
            "family_name": family, "email": [mail], "status": status,
        })  # fmt: skip

    def member(self, person: Person, org: Organization, role: str, **values: Any) -> None:
        values.setdefault("start_date", dt.date(*data.TERM_START))
        values.setdefault("voting_right", True)
        self.upsert(Membership, {"person": person, "organization": org}, {"role": role, **values})

    def persons(self) -> None:
        council = self.orgs[data.COUNCIL]
        self.mayor = self.person(*data.MAYOR[:1], "", *data.MAYOR[1:],
                                 ["Bürgermeister"])  # fmt: skip
        self.member(self.mayor, council, "Vorsitzender")
        self.member(self.mayor, self.orgs["Hauptausschuss"], "Vorsitzender")
        factions = [self.orgs[name] for name, _short in data.FACTIONS]
        for index, (address, title, given, family, faction) in enumerate(data.MEMBERS):
            person = self.person(address, title, given, family, ["Ratsmitglied"])
            self.members.append(person)
            self.member(person, council, "Mitglied", on_behalf_of=factions[faction])
            leads = index in data.FACTION_CHAIRS
            self.member(person, factions[faction], "Vorsitz" if leads else "Mitglied")
        for committee, (chair, others) in data.COMMITTEE_MEMBERS.items():
            org = self.orgs[committee]
            for index in ((chair,) if chair is not None else ()) + others:
                person = self.members[index]
                self.member(person, org, "Vorsitz" if index == chair else "Mitglied",
                            on_behalf_of=factions[data.MEMBERS[index][4]])  # fmt: skip
        adviser = self.person(*data.ADVISER, ["Sachkundige Einwohnerin"])
        self.member(adviser, self.orgs["Sozialausschuss"], "Sachkundige Einwohnerin",
                    voting_right=False)  # fmt: skip

    def meetings(self) -> None:
        tz = timezone.get_current_timezone()
        taken: set[dt.date] = set()
        for spec in data.MEETINGS:
            day = meeting_day(spec.day, self.today, taken)
            start = dt.datetime.combine(day, dt.time(18, 0), tzinfo=tz)
            state = Meeting.State.SCHEDULED
            if spec.held or spec.invited:
                state = Meeting.State.HELD if spec.held else Meeting.State.INVITED
            org = self.orgs[spec.organization]
            meeting = self.upsert(Meeting, {"name": spec.name}, {
                "meeting_state": state, "cancelled": spec.cancelled, "start": start,
                "end": start + dt.timedelta(hours=2, minutes=30),
                "location": self.ratssaal if spec.place == "ratssaal" else self.werkstatt,
            })  # fmt: skip
            meeting.organizations.set([org])
            if spec.held:
                meeting.participants.set(
                    Person.objects.filter(memberships__organization=org, memberships__deleted=False)
                )
            self.meetings_by_key[(spec.organization, spec.number)] = meeting

    def papers(self) -> None:
        papers: dict[str, Paper] = {}
        agenda: dict[Meeting, list[Item]] = {
            meeting: [] for meeting in self.meetings_by_key.values()
        }
        for spec in data.PAPERS:
            day = _date(spec.day, self.today)
            reference = spec.reference.format(year=day.year)
            main = self.file(f"{reference} {spec.name}", _slug(reference), day,
                             [f"{spec.paper_type} {reference}", *spec.text])  # fmt: skip
            paper = self.upsert(Paper, {"reference": reference}, {
                "name": spec.name, "paper_type": spec.paper_type, "date": day, "main_file": main,
            })  # fmt: skip
            papers[spec.reference] = paper
            if spec.by_faction:
                paper.originator_organizations.set([self.orgs[spec.by_faction]])
            else:
                paper.originator_persons.set([self.mayor])
            for step in spec.steps:
                meeting = self.meetings_by_key[(step.organization, step.number)]
                agenda[meeting].append((f"{reference} {spec.name}", True, step, paper))
        for spec in data.PAPERS:
            if spec.related:
                papers[spec.reference].related_papers.set([papers[key] for key in spec.related])
        for demo_meeting in data.MEETINGS:
            key = (demo_meeting.organization, demo_meeting.number)
            self.agenda(self.meetings_by_key[key], demo_meeting, agenda[self.meetings_by_key[key]])

    def agenda(self, meeting: Meeting, spec: data.DemoMeeting, items: list[Item]) -> None:
        held = data.Step("", 0, "", "beschlossen")
        rows: list[Item] = [(name, True, None, None) for name in data.OPENING] + items
        rows += [(name, True, None, None) for name in data.CLOSING]
        rows += [(name, False, held, None) for name in spec.closed_items]
        lines = []
        for order, (name, public, step, paper) in enumerate(rows, start=1):
            number = f"{order}." if public else f"N {order}."
            result = step.result if step is not None and spec.held else ""
            item = self.upsert(AgendaItem, {"meeting": meeting, "number": number}, {
                "order": order, "name": name, "public": public, "result": result,
                "resolution_text": step.resolution if step is not None and spec.held else "",
            })  # fmt: skip
            if public:
                lines.append(f"{number} {name}" + (f" – {result}" if result else ""))
            if paper is not None and step is not None:
                consultation = self.upsert(Consultation, {"paper": paper, "meeting": meeting}, {
                    "agenda_item": item, "role": step.role,
                    "authoritative": step.role == "Entscheidung",
                })  # fmt: skip
                consultation.organizations.set(meeting.organizations.all())
        if spec.cancelled or isinstance(spec.day, tuple):
            return
        day = meeting.start.date() if meeting.start else self.today
        base = _slug(meeting.name)
        if spec.held or spec.invited:
            title = f"Einladung zur {meeting.name}"
            invitation = self.file(title, f"einladung-{base}", day,
                                   [title, "Tagesordnung:", *lines])  # fmt: skip
            _link(meeting, "invitation", invitation)
        if spec.held:
            minutes = self.file(f"Ergebnisniederschrift der {meeting.name}",
                                f"niederschrift-{base}", day,
                                [f"Ergebnisniederschrift der {meeting.name}", *lines])  # fmt: skip
            _link(meeting, "results_protocol", minutes)

    def file(self, name: str, slug: str, day: dt.date, paragraphs: list[str]) -> File:
        """A council file with a small PDF of ``paragraphs``; its text is set for the search."""
        file_name = f"{slug}.pdf"
        found = File.objects.filter(body=self.body, file_name=file_name).first()
        text = "\n\n".join(paragraphs)
        if found is not None and found.text == text and found.stored_id is not None:
            self.tally["File: unchanged"] += 1
            return found
        from rathaus.core.files import store_bytes
        from rathaus.documents.demo_files import text_pdf

        content = text_pdf(paragraphs[0], paragraphs[1:])
        stored = store_bytes(content, name=file_name, media_type="application/pdf")
        file: File = self.upsert(File, {"file_name": file_name}, {
            "name": name[:300], "mime_type": "application/pdf", "date": day, "stored": stored,
            "size": len(content), "sha1_checksum": hashlib.sha1(content).hexdigest(),  # noqa: S324
            "sha512_checksum": hashlib.sha512(content).hexdigest(), "text": text,
            "text_state": File.TextState.DONE,
        })  # fmt: skip
        return file


def _link(meeting: Meeting, field: str, file: File) -> None:
    """The meeting's invitation or minutes (the file's own row is counted by the tally)."""
    if getattr(meeting, f"{field}_id") != file.pk:
        setattr(meeting, field, file)
        meeting.save(update_fields=[field])


def _slug(text: str) -> str:
    keep = "".join(char if char.isalnum() else "-" for char in text.lower())
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        keep = keep.replace(umlaut, plain)
    return "-".join(part for part in keep.split("-") if part)[:150]


def _keeper(tally: Tally) -> None:
    """The demo's Standesamt clerk keeps the council information too: the group "Ratsbüro"
    holds the council permissions (as migration 0002 grants them)."""
    user = get_user_model().objects.filter(username=DEMO_KEEPER).first()
    if user is None:
        return
    role = roles.role(ROLE)
    role.permissions.add(*Permission.objects.filter(content_type__app_label="council"))
    # The group itself, not a further membership: the demo keeps one membership per person.
    if not user.groups.filter(pk=role.pk).exists():
        user.groups.add(role)
        tally["Group member: added"] += 1

"""Rows as OParl 1.1 objects (dicts ready for JSON).

Empty values are left out rather than written as ``null`` (the specification forbids ``null``
for most properties); ``false`` stays. Dates are ``YYYY-MM-DD``, times ISO 8601 with the offset
of Europe/Berlin. A deleted object keeps only ``id``, ``type``, ``created``, ``modified`` and
``deleted: true``. A non-public agenda item keeps only its place (``meeting``, ``order``,
``number``, ``public``); a consultation does not name it. ``embedded`` is True for an object
written inside another one: then the back reference to the parent is left out, as the
specification allows. A file's text is written only when the file is fetched alone (in lists
it would make every page megabytes).

The callers load the rows with :mod:`.querysets`, which prefetches everything read here; the
embedded lists hold only objects that are not deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from rathaus.council import models
from rathaus.council.oparl.addresses import SCHEMA, Addresses

Json = dict[str, Any]


def _time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _many(obj: Any, relation: str) -> list[Any]:
    """A relation as :mod:`.querysets` prefetched it (a list attribute ``p_<relation>``)."""
    rows: list[Any] = getattr(obj, f"p_{relation}")
    return rows


def _put(data: Json, **values: Any) -> None:
    for key, value in values.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        data[key] = value


class Writer:
    """Writes the objects of one answer; knows its addresses."""

    def __init__(self, addresses: Addresses) -> None:
        self.a = addresses

    # --- common -----------------------------------------------------------------------------

    def _base(self, obj: models.OParlObject, type_name: str) -> tuple[Json, bool]:
        data: Json = {
            "id": self.a.object(type_name, obj.pk) if type_name != "System" else self.a.system(),
            "type": f"{SCHEMA}{type_name}",
        }
        _put(data, created=_time(obj.created), modified=_time(obj.modified))
        if obj.deleted:
            data["deleted"] = True
            return data, False
        return data, True

    def _common(self, data: Json, obj: models.OParlObject, type_name: str) -> Json:
        _put(data, keyword=list(obj.keyword or []), license=obj.license)
        _put(data, web=self.a.web(type_name, obj.pk))
        return data

    def _ids(self, type_name: str, rows: Any) -> list[str]:
        return self.a.objects(type_name, [row.pk for row in rows])

    def _ref(self, type_name: str, pk: int | None) -> str | None:
        return self.a.object(type_name, pk) if pk else None

    def _file(self, file: models.File | None) -> Json | None:
        if file is None or file.deleted:
            return None
        return self.file(file, embedded=True)

    def _files(self, files: Any) -> list[Json]:
        return [self.file(file, embedded=True) for file in files if not file.deleted]

    # --- the objects ------------------------------------------------------------------------

    def body(self, body: models.Body, terms: list[models.LegislativeTerm]) -> Json:
        data, alive = self._base(body, "Body")
        if not alive:
            return data
        lists = {
            name: self.a.body_list(body.pk, type_name)
            for name, type_name in (
                ("organization", "Organization"), ("person", "Person"), ("meeting", "Meeting"),
                ("paper", "Paper"), ("agendaItem", "AgendaItem"),
                ("consultation", "Consultation"), ("file", "File"),
                ("locationList", "Location"), ("legislativeTermList", "LegislativeTerm"),
                ("membership", "Membership"),
            )
        }  # fmt: skip
        data.update(system=self.a.system(), name=body.name)
        _put(
            data, shortName=body.short_name, website=body.website, ags=body.ags, rgs=body.rgs,
            equivalent=list(body.equivalent or []), contactEmail=body.contact_email,
            contactName=body.contact_name, classification=body.classification,
            licenseValidSince=_time(body.license_valid_since),
            oparlSince=_time(body.oparl_since),
        )  # fmt: skip
        data.update(lists)
        data["legislativeTerm"] = [
            self.legislative_term(term, embedded=True) for term in terms if not term.deleted
        ]
        _put(data, keyword=list(body.keyword or []), license=body.license)
        _put(data, web=self.a.web_named("council:index"))
        return data

    def legislative_term(self, term: models.LegislativeTerm, embedded: bool = False) -> Json:
        data, alive = self._base(term, "LegislativeTerm")
        if not alive:
            return data
        if not embedded:
            data["body"] = self.a.object("Body", term.body_id)
        _put(data, name=term.name, startDate=_date(term.start_date),
             endDate=_date(term.end_date))  # fmt: skip
        return self._common(data, term, "LegislativeTerm")

    def location(
        self, location: models.Location, embedded: bool = False, back: Json | None = None
    ) -> Json:
        data, alive = self._base(location, "Location")
        if not alive:
            return data
        _put(
            data, description=str(location), geojson=location.geojson,
            streetAddress=location.street_address, room=location.room,
            postalCode=location.postal_code, subLocality=location.sub_locality,
            locality=location.locality,
        )  # fmt: skip
        if back:
            _put(data, **back)
        return self._common(data, location, "Location")

    def file(
        self, file: models.File, embedded: bool = False, back: Json | None = None,
        with_text: bool = False,
    ) -> Json:  # fmt: skip
        data, alive = self._base(file, "File")
        if not alive:
            return data
        stored = file.stored
        if stored is not None:
            access: str | None = self.a.file_access(file.pk)
            download: str | None = self.a.file_download(file.pk)
        else:
            # imported without its content: the source's addresses (ours would answer 404)
            access = file.external_access_url or self.a.file_access(file.pk)
            download = file.external_download_url or None
        _put(
            data, name=file.name, fileName=file.file_name or (stored.name if stored else ""),
            mimeType=file.mime_type or (stored.media_type if stored else ""),
            date=_date(file.date), size=file.size if file.size is not None else (
                stored.size if stored else None),
            sha1Checksum=file.sha1_checksum, sha512Checksum=file.sha512_checksum,
            accessUrl=access, downloadUrl=download, fileLicense=file.file_license,
            masterFile=self._ref("File", file.master_file_id),
        )  # fmt: skip
        if with_text:
            _put(data, text=file.text)
        if back:
            _put(data, **back)
        return self._common(data, file, "File")

    def organization(self, org: models.Organization) -> Json:
        data, alive = self._base(org, "Organization")
        if not alive:
            return data
        location = org.location
        _put(
            data, body=self.a.object("Body", org.body_id), name=org.name,
            membership=self._ids("Membership", _many(org, "memberships")),
            shortName=org.short_name, post=list(org.post or []),
            subOrganizationOf=self._ref("Organization", org.sub_organization_of_id),
            organizationType=org.organization_type, classification=org.classification,
            startDate=_date(org.start_date), endDate=_date(org.end_date), website=org.website,
            location=self.location(location, embedded=True)
            if location and not location.deleted else None,
            externalBody=org.external_body,
        )  # fmt: skip
        return self._common(data, org, "Organization")

    def membership(self, membership: models.Membership, embedded: bool = False) -> Json:
        data, alive = self._base(membership, "Membership")
        if not alive:
            return data
        if not embedded:
            data["person"] = self.a.object("Person", membership.person_id)
        data["organization"] = self.a.object("Organization", membership.organization_id)
        data["votingRight"] = membership.voting_right
        _put(
            data, role=membership.role, startDate=_date(membership.start_date),
            endDate=_date(membership.end_date),
            onBehalfOf=self._ref("Organization", membership.on_behalf_of_id),
        )  # fmt: skip
        return self._common(data, membership, "Membership")

    def person(self, person: models.Person) -> Json:
        data, alive = self._base(person, "Person")
        if not alive:
            return data
        location = person.location if person.location and not person.location.deleted else None
        _put(
            data, body=self.a.object("Body", person.body_id), name=person.name,
            familyName=person.family_name, givenName=person.given_name,
            formOfAddress=person.form_of_address, affix=person.affix,
            title=list(person.title or []), gender=person.gender,
            phone=list(person.phone or []), email=list(person.email or []),
            location=self._ref("Location", location.pk if location else None),
            locationObject=self.location(location, embedded=True) if location else None,
            status=list(person.status or []),
            membership=[self.membership(m, embedded=True) for m in _many(person, "memberships")],
            life=person.life, lifeSource=person.life_source,
        )  # fmt: skip
        return self._common(data, person, "Person")

    def meeting(self, meeting: models.Meeting) -> Json:
        data, alive = self._base(meeting, "Meeting")
        if not alive:
            return data
        location = meeting.location
        data["cancelled"] = meeting.cancelled
        _put(
            data, name=meeting.name, meetingState=meeting.meeting_state,
            start=_time(meeting.start), end=_time(meeting.end),
            location=self.location(location, embedded=True)
            if location and not location.deleted else None,
            organization=self._ids("Organization", _many(meeting, "organizations")),
            participant=self._ids("Person", _many(meeting, "participants")),
            invitation=self._file(meeting.invitation),
            resultsProtocol=self._file(meeting.results_protocol),
            verbatimProtocol=self._file(meeting.verbatim_protocol),
            auxiliaryFile=self._files(_many(meeting, "auxiliary_files")),
            agendaItem=[self.agenda_item(item, embedded=True)
                        for item in _many(meeting, "agenda_items")],
        )  # fmt: skip
        return self._common(data, meeting, "Meeting")

    def agenda_item(self, item: models.AgendaItem, embedded: bool = False) -> Json:
        data, alive = self._base(item, "AgendaItem")
        if not alive:
            return data
        if not embedded:
            data["meeting"] = self.a.object("Meeting", item.meeting_id)
        data["order"] = item.order
        data["public"] = item.public
        _put(data, number=item.number)
        if not item.public:
            # as on /rat/: the place of a closed session's item, nothing of its subject
            return data
        consultations = list(_many(item, "consultations"))
        _put(
            data, name=item.name,
            consultation=self._ref("Consultation", consultations[0].pk if consultations else None),
            start=_time(item.start), end=_time(item.end), result=item.result,
            resolutionText=item.resolution_text, resolutionFile=self._file(item.resolution_file),
            auxiliaryFile=self._files(_many(item, "auxiliary_files")),
        )  # fmt: skip
        return self._common(data, item, "AgendaItem")

    def paper(self, paper: models.Paper) -> Json:
        data, alive = self._base(paper, "Paper")
        if not alive:
            return data
        _put(
            data, body=self.a.object("Body", paper.body_id), name=paper.name,
            reference=paper.reference, date=_date(paper.date), paperType=paper.paper_type,
            relatedPaper=self._ids("Paper", _many(paper, "related_papers")),
            superordinatedPaper=self._ids("Paper", _many(paper, "superordinated_papers")),
            subordinatedPaper=self._ids("Paper", _many(paper, "subordinated_papers")),
            mainFile=self._file(paper.main_file),
            auxiliaryFile=self._files(_many(paper, "auxiliary_files")),
            location=[self.location(loc, embedded=True) for loc in _many(paper, "locations")],
            originatorPerson=self._ids("Person", _many(paper, "originator_persons")),
            underDirectionOf=self._ids("Organization", _many(paper, "under_direction_of")),
            originatorOrganization=self._ids("Organization",
                                             _many(paper, "originator_organizations")),
            consultation=[self.consultation(c, embedded=True)
                          for c in _many(paper, "consultations")],
        )  # fmt: skip
        return self._common(data, paper, "Paper")

    def consultation(self, consultation: models.Consultation, embedded: bool = False) -> Json:
        data, alive = self._base(consultation, "Consultation")
        if not alive:
            return data
        if not embedded:
            _put(data, paper=self._ref("Paper", consultation.paper_id))
        data["authoritative"] = consultation.authoritative
        # a non-public agenda item is not named: it would tell which paper a closed session
        # discussed (querysets annotate ``item_public``)
        item_public = getattr(consultation, "item_public", False)
        _put(
            data, agendaItem=self._ref("AgendaItem", consultation.agenda_item_id)
            if item_public else None,
            meeting=self._ref("Meeting", consultation.meeting_id),
            organization=self._ids("Organization", _many(consultation, "organizations")),
            role=consultation.role,
        )  # fmt: skip
        return self._common(data, consultation, "Consultation")

    def write(self, type_name: str, obj: Any) -> Json:
        """One object of a list (not embedded): the writer of its type."""
        writers: dict[str, Callable[[Any], Json]] = {
            "LegislativeTerm": self.legislative_term, "Location": self.location,
            "File": self.file, "Organization": self.organization, "Person": self.person,
            "Membership": self.membership, "Meeting": self.meeting,
            "AgendaItem": self.agenda_item, "Paper": self.paper,
            "Consultation": self.consultation,
        }  # fmt: skip
        return writers[type_name](obj)

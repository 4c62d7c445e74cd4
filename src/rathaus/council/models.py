"""The council's information: the OParl 1.1 objects a council system keeps (ADR 0066).

A ``Body`` is the council of one authority (the OParl "Körperschaft"); everything else belongs
to a body: legislative terms, organisations (the council, its committees, the factions),
persons and their memberships, meetings with their agenda items, papers (Vorlagen) with their
consultations, files and locations. The names follow the OParl 1.1 specification, so that the
server (``oparl``) and the importer map fields one to one.

Every object keeps ``created`` and ``modified`` as OParl defines them (``modified`` changes with
every save unless ``touch=False``, which the importer uses to keep the source's dates) and is
deleted softly: ``deleted`` keeps the row, the OParl server still lists it with
``deleted: true``, the public pages hide it. ``origin`` is the object's OParl id at the system
it was imported from; empty for objects kept here.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OParlObject(models.Model):
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    modified = models.DateTimeField(
        _("modified"), default=timezone.now, editable=False, db_index=True
    )
    deleted = models.BooleanField(_("deleted"), default=False)
    keyword = models.JSONField(_("keywords"), default=list, blank=True)
    license = models.URLField(_("licence"), max_length=300, blank=True)
    origin = models.URLField(_("imported from"), max_length=500, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, touch: bool = True, **kwargs: Any) -> None:
        if touch:
            self.modified = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "modified"}
        super().save(*args, **kwargs)


class Body(OParlObject):
    """The council of an authority (OParl ``Body``)."""

    authority = models.OneToOneField(
        "core.Authority",
        verbose_name=_("authority"),
        on_delete=models.CASCADE,
        related_name="council_body",
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    ags = models.CharField(_("official municipality key"), max_length=8, blank=True)
    rgs = models.CharField(_("regional key"), max_length=12, blank=True)
    equivalent = models.JSONField(_("equivalent identifiers"), default=list, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    classification = models.CharField(_("classification"), max_length=100, blank=True)
    license_valid_since = models.DateTimeField(_("licence valid since"), null=True, blank=True)
    oparl_since = models.DateTimeField(_("OParl since"), null=True, blank=True)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class BodyObject(OParlObject):
    body = models.ForeignKey(
        Body, verbose_name=_("council"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


class LegislativeTerm(BodyObject):
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("legislative term")
        verbose_name_plural = _("legislative terms")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_term_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Location(BodyObject):
    description = models.CharField(_("description"), max_length=300, blank=True)
    street_address = models.CharField(_("street and number"), max_length=200, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    sub_locality = models.CharField(_("district"), max_length=100, blank=True)
    locality = models.CharField(_("town"), max_length=100, blank=True)
    geojson = models.JSONField(_("place on the map"), null=True, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["description", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_location_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.description or ", ".join(
            part for part in (self.street_address, self.room, self.locality) if part
        )


class File(BodyObject):
    """A document of the council: an invitation, a paper's text, a protocol (OParl ``File``).

    The content is a stored file that went through the upload checks (``stored``); a file
    imported from another council system may keep only its addresses there
    (``external_access_url``). ``text`` is the text read from the content, for the search."""

    class TextState(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("read")
        NONE = "none", _("no text")
        FAILED = "failed", _("failed")

    name = models.CharField(_("name"), max_length=300)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    mime_type = models.CharField(_("media type"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha1_checksum = models.CharField(_("SHA-1"), max_length=40, blank=True)
    sha512_checksum = models.CharField(_("SHA-512"), max_length=128, blank=True)
    stored = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_access_url = models.URLField(_("address at the source"), max_length=500, blank=True)
    external_download_url = models.URLField(_("download at the source"), max_length=500, blank=True)
    file_license = models.URLField(_("licence of the file"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    text_state = models.CharField(
        _("text"), max_length=10, choices=TextState.choices, default=TextState.PENDING
    )
    master_file = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derivative_files"
    )
    efile_document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_file_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Organization(BodyObject):
    class Type(models.TextChoices):
        # the values of OParl's organizationType
        COMMITTEE = "Gremium", _("Committee")
        PARTY = "Partei", _("Party")
        FACTION = "Fraktion", _("Faction")
        ADMINISTRATION = "Verwaltungsbereich", _("Administrative unit")
        EXTERNAL = "externes Gremium", _("External committee")
        INSTITUTION = "Institution", _("Institution")
        OTHER = "Sonstiges", _("Other")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    organization_type = models.CharField(
        _("kind"), max_length=30, choices=Type.choices, default=Type.COMMITTEE
    )
    classification = models.CharField(
        _("classification"), max_length=100, blank=True,
        help_text=_("For example: council, committee, faction."),
    )  # fmt: skip
    post = models.JSONField(_("posts"), default=list, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="organizations",
    )  # fmt: skip
    sub_organization_of = models.ForeignKey(
        "self", verbose_name=_("part of"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="sub_organizations",
    )  # fmt: skip
    external_body = models.URLField(_("external body"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_organization_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Person(BodyObject):
    """A member of the council or a committee, or someone who speaks for the administration.

    Only what the person made public for the office is kept (ADR 0066): no private address."""

    name = models.CharField(_("name"), max_length=200)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    form_of_address = models.CharField(_("form of address"), max_length=50, blank=True)
    affix = models.CharField(_("affix"), max_length=50, blank=True)
    title = models.JSONField(_("titles"), default=list, blank=True)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    phone = models.JSONField(_("phone numbers"), default=list, blank=True)
    email = models.JSONField(_("e-mail addresses"), default=list, blank=True)
    status = models.JSONField(_("roles"), default=list, blank=True)
    life = models.TextField(_("about"), blank=True)
    life_source = models.CharField(
        _("source of the text about the person"), max_length=200, blank=True
    )
    location = models.ForeignKey(
        Location, verbose_name=_("office address"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="persons",
    )  # fmt: skip

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["family_name", "given_name", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_person_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Membership(BodyObject):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="memberships",
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=100, blank=True)
    voting_right = models.BooleanField(_("voting right"), default=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    on_behalf_of = models.ForeignKey(
        Organization, verbose_name=_("on behalf of"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="delegated_memberships",
    )  # fmt: skip

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "-start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_membership_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.person} – {self.organization}"


class Meeting(BodyObject):
    class State(models.TextChoices):
        # the values OParl 1.1 names for meetingState
        SCHEDULED = "terminiert", _("scheduled")
        INVITED = "eingeladen", _("invitations sent")
        HELD = "durchgeführt", pgettext_lazy("meeting", "held")

    name = models.CharField(_("name"), max_length=300)
    meeting_state = models.CharField(
        _("state of the meeting"),
        max_length=30,
        choices=State.choices,
        default=State.SCHEDULED,
        blank=True,
    )
    cancelled = models.BooleanField(pgettext_lazy("meeting", "cancelled"), default=False)
    start = models.DateTimeField(_("start"), null=True, blank=True, db_index=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="meetings",
    )  # fmt: skip
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organisations"), related_name="meetings", blank=True
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), related_name="meetings", blank=True
    )
    invitation = models.ForeignKey(
        File, verbose_name=_("invitation"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    results_protocol = models.ForeignKey(
        File, verbose_name=_("minutes of results"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    verbatim_protocol = models.ForeignKey(
        File, verbose_name=_("verbatim minutes"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    auxiliary_files = models.ManyToManyField(
        File, verbose_name=_("further files"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_meeting_origin",
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="council_meeting_ends_after_start",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class AgendaItem(BodyObject):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    number = models.CharField(_("number"), max_length=30, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("subject"), max_length=500)
    public = models.BooleanField(_("public"), default=True)
    result = models.CharField(_("result"), max_length=200, blank=True)
    resolution_text = models.TextField(_("resolution"), blank=True)
    resolution_file = models.ForeignKey(
        File, verbose_name=_("resolution file"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    auxiliary_files = models.ManyToManyField(
        File, verbose_name=_("further files"), related_name="+", blank=True
    )
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_agendaitem_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class Paper(BodyObject):
    """A paper (Vorlage, Drucksache): a draft resolution, an information paper, a motion."""

    name = models.CharField(_("title"), max_length=500)
    reference = models.CharField(_("reference"), max_length=50, blank=True, db_index=True)
    date = models.DateField(_("date"), null=True, blank=True)
    paper_type = models.CharField(
        _("kind of paper"), max_length=100, blank=True,
        help_text=_("For example: Beschlussvorlage, Informationsvorlage, Antrag, Anfrage."),
    )  # fmt: skip
    related_papers = models.ManyToManyField(
        "self", verbose_name=_("related papers"), blank=True, symmetrical=True
    )
    superordinated_papers = models.ManyToManyField(
        "self", verbose_name=_("superordinate papers"), blank=True, symmetrical=False,
        related_name="subordinated_papers",
    )  # fmt: skip
    main_file = models.ForeignKey(
        File, verbose_name=_("main file"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    auxiliary_files = models.ManyToManyField(
        File, verbose_name=_("further files"), related_name="+", blank=True
    )
    locations = models.ManyToManyField(
        Location, verbose_name=_("locations"), related_name="papers", blank=True
    )
    originator_persons = models.ManyToManyField(
        Person, verbose_name=_("submitted by (persons)"), related_name="papers", blank=True
    )
    under_direction_of = models.ManyToManyField(
        Organization, verbose_name=_("responsible units"), related_name="directed_papers",
        blank=True,
    )  # fmt: skip
    originator_organizations = models.ManyToManyField(
        Organization, verbose_name=_("submitted by (organisations)"),
        related_name="originated_papers", blank=True,
    )  # fmt: skip

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_paper_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()


class Consultation(BodyObject):
    """A paper's consultation in a meeting of an organisation (OParl ``Consultation``)."""

    paper = models.ForeignKey(
        Paper, verbose_name=_("paper"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="consultations",
    )  # fmt: skip
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="consultations",
    )  # fmt: skip
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="consultations",
    )  # fmt: skip
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organisations"), related_name="consultations", blank=True
    )
    authoritative = models.BooleanField(_("decides"), default=False)
    role = models.CharField(
        _("role"), max_length=100, blank=True,
        help_text=_("For example: Beratung, Vorberatung, Entscheidung."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "origin"], condition=~models.Q(origin=""),
                name="council_consultation_origin",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.paper} – {self.meeting}"

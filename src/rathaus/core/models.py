"""Tenants (authorities), their organisation, staff roles, the audit log and stored files.

The state of the running system (worker heartbeats, set-aside tasks, scheduled jobs, rate
counters) is in :mod:`rathaus.core.runtime_models` and re-exported here."""

from __future__ import annotations

import uuid
from typing import IO

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core import keys
from rathaus.core.grammar import of_name as _of_name
from rathaus.core.model_fields import acting_user, record_authority, stored_file
from rathaus.core.runtime_models import DeadLetter as DeadLetter
from rathaus.core.runtime_models import RateCounter as RateCounter
from rathaus.core.runtime_models import ScheduledJob as ScheduledJob
from rathaus.core.runtime_models import WorkerHeartbeat as WorkerHeartbeat


def _ags_validator(value: str) -> None:
    try:
        keys.validate_ags(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _ars_validator(value: str) -> None:
    try:
        keys.validate_ars(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


postal_code_validator = RegexValidator(r"^\d{5}$", _("A German postal code has five digits."))


class Authority(models.Model):
    """A public body served by this installation; the tenant that owns data."""

    class Kind(models.TextChoices):
        GEMEINDE = "gemeinde", _("Municipality (Gemeinde)")
        VERBANDSGEMEINDE = "verbandsgemeinde", _("Association of municipalities")
        LANDKREIS = "landkreis", _("District (Landkreis)")
        LAND = "land", _("Federal state (Land)")

    class State(models.TextChoices):  # ISO 3166-2:DE codes of the Länder
        BW = "BW", _("Baden-Württemberg")
        BY = "BY", _("Bavaria")
        BE = "BE", _("Berlin")
        BB = "BB", _("Brandenburg")
        HB = "HB", _("Bremen")
        HH = "HH", _("Hamburg")
        HE = "HE", _("Hesse")
        MV = "MV", _("Mecklenburg-Western Pomerania")
        NI = "NI", _("Lower Saxony")
        NW = "NW", _("North Rhine-Westphalia")
        RP = "RP", _("Rhineland-Palatinate")
        SL = "SL", _("Saarland")
        SN = "SN", _("Saxony")
        ST = "ST", _("Saxony-Anhalt")
        SH = "SH", _("Schleswig-Holstein")
        TH = "TH", _("Thuringia")

    slug = models.SlugField(_("short name"), unique=True, max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ags = models.CharField(
        _("AGS"), max_length=8, validators=[_ags_validator], help_text=_("Official key (AGS).")
    )
    ars = models.CharField(
        _("ARS"),
        max_length=12,
        unique=True,
        validators=[_ars_validator],
        help_text=_("12-digit regional key (ARS)."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[postal_code_validator]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(
        _("federal state (Land)"),
        max_length=2,
        choices=State.choices,
        default=State.ST,
        help_text=_("Its public holidays close the appointment calendars of the authority."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    sender_email = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_(
            "Sender of the e-mails about this authority's cases and appointments, shown with "
            "the authority's name. Empty: the installation's sender."
        ),
    )
    logo = stored_file(_("logo"), optional=True)
    logo_alt = models.CharField(
        _("logo text alternative"),
        max_length=200,
        blank=True,
        help_text=_("What the logo shows, for people who cannot see it (e.g. 'Coat of arms')."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Two to eight capital letters."))],
        help_text=_("Letters in front of application references, e.g. BAR for BAR-2026-000123."),
    )

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def of_name(self) -> str:
        """'of' and the name, in German in the genitive: 'des Landkreises Börde'."""
        return _of_name(self.name, self.kind)

    def clean(self) -> None:
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An authority cannot be its own parent.")})
        land = keys.state_of_ars(self.ars or "")
        if land and self.state and land != self.state:
            message = _("The regional key (ARS) belongs to %(land)s.")
            raise ValidationError({"state": message % {"land": self.State(land).label}})


class AuthorityHost(models.Model):
    """A host name on which the portal of an authority answers."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="hosts")
    hostname = models.CharField(_("host name"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("host name")
        verbose_name_plural = _("host names")

    def __str__(self) -> str:
        return self.hostname

    def save(self, *args: object, **kwargs: object) -> None:
        self.hostname = self.hostname.strip().lower().rstrip(".")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class OrgUnit(models.Model):
    """A department inside an authority (Amt, Fachbereich, Sachgebiet), forming a tree."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="org_units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Units are listed by position, then by name.")
    )
    description = models.TextField(_("description"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[postal_code_validator]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    file_plan_code = models.CharField(
        _("file plan code"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]+$", _("Letters, digits, dots and hyphens."))],
        help_text=_("The unit's code in the file plan (Aktenplan), e.g. 32.10."),
    )
    case_number_pattern = models.CharField(
        _("case number pattern"),
        max_length=60,
        default="{code}-{year}-{number:05d}",
        help_text=_(
            "How case numbers of this unit look: {code} is the file plan code, {year} the "
            "year, {number} the running number (e.g. {number:05d} for five digits)."
        ),
    )

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["authority__name", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "slug"], name="orgunit_slug_per_authority")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent is not None and self.parent.authority_id != self.authority_id:
            raise ValidationError(
                {"parent": _("The parent unit must belong to the same authority.")}
            )
        seen = {self.pk} if self.pk else set()
        node = self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("Units cannot be nested in a circle.")})
            seen.add(node.pk)
            node = node.parent


class Membership(models.Model):
    """A staff user's role (a permission group) in one organisational unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    org_unit = models.ForeignKey(
        OrgUnit, models.CASCADE, related_name="memberships", verbose_name=_("organisational unit")
    )
    role = models.ForeignKey(Group, verbose_name=_("role"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.org_unit} ({self.role})"


class AuditEvent(models.Model):
    """One entry of the append-only audit log, chained to its predecessor by a SHA-256 hash.

    Rows are written only by :func:`rathaus.core.audit.record`; the hash of each row covers its
    content and the previous row's hash in the same chain (one chain per authority, see
    ADR 0016), so changing or deleting a row breaks its chain. ``sequence`` counts within the
    chain; it is empty only for a moment, between ``record`` and the end of its ``deferred()``
    block in the same transaction.
    """

    chain = models.PositiveBigIntegerField(_("chain"), editable=False)
    sequence = models.PositiveBigIntegerField(_("sequence number"), null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    authority = record_authority()
    actor = acting_user()
    # The actor's id as it was when the entry was written: hashed, unlike the foreign key,
    # which becomes empty when the user is deleted (verification checks the two agree).
    actor_ref = models.PositiveBigIntegerField(null=True, editable=False)
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    # Which audit key made ``hash`` (an HMAC); empty for the unkeyed entries of the legacy chain.
    key_id = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Across chains, the order of writing; within a chain it is the sequence order.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence")
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} ({self.actor_label})"


class AuditChainHead(models.Model):
    """The last entry of one audit chain; the primary key is the chain number.

    Chain 0 is the global chain of the entries written before ADR 0016, chain 1 holds the
    installation-wide events, and chain 1 + *id* those of the authority with that id. Writers
    lock the head of their chain to append in order, and verification compares it with the
    chain's last row, so deleting entries at the end of a chain is detected too.
    """

    id = models.PositiveBigIntegerField(primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"chain {self.pk}: #{self.sequence} {self.hash[:12]}"


class Locality(models.Model):
    """A village or district (Ortsteil) of an authority's area, with its postal code."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="localities")
    name = models.CharField(_("name"), max_length=100)
    postal_code = models.CharField(
        _("postal code"), max_length=5, validators=[postal_code_validator]
    )

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="locality_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.postal_code} {self.name}"


class PostalPlace(models.Model):
    """A place with its postal code and Kreis (reference data from GeoNames, CC BY 4.0)."""

    postal_code = models.CharField(_("postal code"), max_length=5, db_index=True)
    place = models.CharField(_("place"), max_length=200)
    kreis_ags = models.CharField(_("Kreis key (AGS)"), max_length=5)
    kreis = models.CharField(_("Kreis"), max_length=200)
    state = models.CharField(_("state"), max_length=100)

    class Meta:
        verbose_name = _("postal place")
        verbose_name_plural = _("postal places")
        ordering = ["postal_code", "place"]
        constraints = [
            models.UniqueConstraint(
                fields=["postal_code", "place", "kreis_ags"], name="postalplace_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.postal_code} {self.place}"


class OutgoingEmail(models.Model):
    """An e-mail rathaus sends, kept with its rendered text and its delivery state.

    Written by :func:`rathaus.core.mail.send_mail` inside the caller's transaction and delivered
    by the ``deliver_email`` task, which retries failures with growing delays.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML version"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    authority = record_authority()
    created_at = models.DateTimeField(_("created at"), db_index=True)
    status = models.CharField(
        _("delivery status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    transport = models.CharField(
        _("transport"),
        max_length=20,
        blank=True,
        help_text=_("How it was delivered: smtp, or outbox (kept here, not sent)."),
    )
    # While a worker delivers the e-mail no other worker may start on it; a lease instead of a
    # row lock, because a lock held during an SMTP conversation would block SQLite writers.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class OutgoingAttachment(models.Model):
    """A file sent with an :class:`OutgoingEmail`, kept with it so every attempt sends it."""

    email = models.ForeignKey(
        OutgoingEmail,
        verbose_name=_("e-mail"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    file = stored_file()

    class Meta:
        verbose_name = _("e-mail attachment")
        verbose_name_plural = _("e-mail attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class ApiToken(models.Model):
    """A staff member's personal key for the staff API; only its SHA-256 hash is stored.

    The key acts for its owner with the owner's current units, so a changed membership applies
    at once. A revoked or expired key is refused on the next request.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("beginning of the key"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("valid until"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Sequence(models.Model):
    """The last number drawn in one numbering scope (see :mod:`rathaus.core.sequences`).

    The scope is a plain string such as ``case:12:2026``, without foreign keys, so drawing a
    number takes a lock on this one row only and never on the authority, unit or location rows.
    """

    scope = models.CharField(_("scope"), max_length=200, primary_key=True)
    value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.scope}: {self.value}"


class StoredFile(models.Model):
    """One stored file: its name and type for people, and the content-addressed blob it reads.

    Rows of other apps (uploads, documents, attachments) point here; several rows with the same
    content share one blob in the ``files`` storage (see :mod:`rathaus.core.files`, ADR 0019).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("file name"), max_length=200)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    key = models.CharField(_("storage key"), max_length=200, db_index=True)
    created_at = models.DateTimeField(_("stored"), default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def open(self) -> IO[bytes]:
        """The content for reading; hand it out only after a permission check."""
        from rathaus.core.files import store

        return store.open_blob(self.key)

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

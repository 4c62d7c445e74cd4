"""The service catalogue (shared by all authorities) and each authority's offer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.keys import InvalidLeikaKey, validate_leika_key
from rathaus.core.model_fields import optional_link
from rathaus.core.models import Authority, OrgUnit


def _leika_validator(value: str) -> None:
    try:
        validate_leika_key(value)
    except InvalidLeikaKey:
        raise ValidationError(
            _("A LeiKa key has 14 digits and starts with 99."), code="leika"
        ) from None


def _check_unit_belongs_to_authority(unit: OrgUnit | None, authority_id: int | None) -> None:
    if unit is not None and unit.authority_id != authority_id:
        raise ValidationError({"org_unit": _("The unit must belong to the same authority.")})


class Topic(models.Model):
    """Themenfeld of the OZG catalogue."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LifeSituation(models.Model):
    """Lebenslage: how citizens and businesses look for services."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="life_situations")
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name"), max_length=150)

    class Meta:
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "slug"], name="lifesituation_slug_per_topic")
        ]

    def __str__(self) -> str:
        return self.name


class OzgService(models.Model):
    """OZG-Leistung: a bundle of LeiKa services with a 5-digit OZG-ID."""

    ozg_id = models.CharField(
        _("OZG-ID"), max_length=5, unique=True, validators=[RegexValidator(r"^\d{5}$")]
    )
    name = models.CharField(_("name"), max_length=200)
    life_situation = models.ForeignKey(
        LifeSituation, on_delete=models.PROTECT, related_name="ozg_services"
    )

    class Meta:
        verbose_name = _("OZG service")
        verbose_name_plural = _("OZG services")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.ozg_id})"


class Service(models.Model):
    """A LeiKa service (Leistung). Services the LeiKa does not list have no key."""

    leika_key = models.CharField(
        _("LeiKa key"),
        max_length=14,
        null=True,
        blank=True,
        unique=True,
        validators=[_leika_validator],
    )
    name = models.CharField(_("name"), max_length=300)
    ozg_service = models.ForeignKey(
        OzgService, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    leika_type = models.CharField(_("LeiKa type"), max_length=20, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    laws = models.CharField(_("laws (short)"), max_length=300, blank=True)
    synonyms = models.TextField(
        _("synonyms"), blank=True, help_text=_("Other words people use, one per line.")
    )
    description = models.TextField(_("description"), blank=True)
    # Normalised words for the full-text index (see catalog.text); kept in step by services.py.
    search_name = models.TextField(editable=False, default="")
    search_extra = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ozg_service", "name"],
                condition=Q(leika_key__isnull=True),
                name="service_without_key_unique_name",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.leika_key:
            return reverse("catalog:service", args=[self.leika_key])
        return reverse("catalog:service_without_key", args=[self.pk])


class Maturity(models.IntegerChoices):
    """OZG Reifegrad of an online service."""

    NONE = 0, _("0 – information only offline")
    INFORMATION = 1, _("1 – information online")
    FORM = 2, _("2 – start online, finish on paper or in person")
    ONLINE = 3, _("3 – fully online incl. evidence and decision")
    ONCE_ONLY = 4, _("4 – once-only: data from registers")


class Offer(models.Model):
    """An authority's offer of a service, with the local details a citizen needs."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="offers")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="offers")
    org_unit = optional_link(OrgUnit, _("responsible unit"), related_name="offers")
    description = models.TextField(_("description in plain language"), blank=True)
    required_documents = models.TextField(
        _("required documents"), blank=True, help_text=_("One document per line.")
    )
    fee_cents = models.PositiveIntegerField(_("fee in cents"), null=True, blank=True)
    fee_text = models.CharField(
        _("fee explanation"),
        max_length=300,
        blank=True,
        help_text=_("For example: 12,00 € per certificate, free of charge for pensioners."),
    )
    processing_time = models.CharField(_("typical processing time"), max_length=200, blank=True)
    contact = models.TextField(_("contact"), blank=True)
    opening_hours_url = models.URLField(_("opening hours link"), blank=True)
    legal_basis = models.TextField(_("legal basis (local)"), blank=True)
    maturity_override = models.PositiveSmallIntegerField(
        _("OZG maturity level set by staff"),
        choices=Maturity.choices,
        null=True,
        blank=True,
        help_text=_(
            "Only if the level derived from the live online ways is wrong; give the reason."
        ),
    )
    maturity_override_reason = models.CharField(
        _("reason for the maturity level"), max_length=300, blank=True
    )
    general_request = models.BooleanField(
        _("reported with the general request form"),
        default=False,
        help_text=_("Citizens report this with the general form “Anliegen an die Gemeinde”."),
    )
    online_url = models.URLField(_("online application link"), blank=True)
    min_trust_level = models.CharField(
        _("minimum trust level"),
        max_length=20,
        default="basic",
        choices=[("basic", _("basic")), ("substantial", _("substantial")), ("high", _("high"))],
        help_text=_("The login the online application needs (BSI TR-03107-1)."),
    )
    appointment_url = models.URLField(_("appointment booking link"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["service__name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "service"], name="offer_unique_service"),
            models.CheckConstraint(
                condition=(Q(maturity_override__isnull=True) & Q(maturity_override_reason=""))
                | (Q(maturity_override__isnull=False) & ~Q(maturity_override_reason="")),
                name="offer_maturity_override_with_reason",
            ),
        ]

    # Set by catalog.maturity.annotate: the level shown (derived or overridden), the derived
    # level and the live ways. The model cannot compute them: the ways come from apps above.
    maturity: int
    derived_maturity: int
    ways: Any
    # Another authority handles the service here and this installation has no way to it.
    responsible_elsewhere: Authority | None = None

    def __str__(self) -> str:
        return f"{self.service} – {self.authority}"

    def clean(self) -> None:
        _check_unit_belongs_to_authority(self.org_unit, self.authority_id)
        if self.maturity_override is not None and not self.maturity_override_reason.strip():
            raise ValidationError(
                {"maturity_override_reason": _("Please give the reason for the level you set.")}
            )
        if self.maturity_override is None and self.maturity_override_reason.strip():
            raise ValidationError(
                {"maturity_override": _("Please choose the level the reason is about.")}
            )

    @property
    def maturity_label(self) -> str:
        if self.responsible_elsewhere is not None:
            return str(_("not offered online in this portal – handled by %(name)s")) % {
                "name": self.responsible_elsewhere.name
            }
        return str(Maturity(self.maturity).label)

    @property
    def derived_maturity_label(self) -> str:
        return str(Maturity(self.derived_maturity).label)

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.required_documents.splitlines() if line.strip()]


class Responsibility(models.Model):
    """Who handles a service (or every service of an OZG service) in an area.

    The area is an ARS prefix (2 digits: a Land, 5: a Kreis, 12: a Gemeinde) or a postal code.
    The most specific rule wins: a service rule before an OZG rule, a postal code or longer
    ARS prefix before a shorter one.
    """

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="responsibilities"
    )
    ozg_service = models.ForeignKey(
        OzgService,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    ars_prefix = models.CharField(
        _("ARS prefix"), max_length=12, blank=True, validators=[RegexValidator(r"^\d{2,12}$")]
    )
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[RegexValidator(r"^\d{5}$")]
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="responsibilities"
    )
    org_unit = optional_link(OrgUnit)

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.CheckConstraint(
                condition=(Q(service__isnull=False) & Q(ozg_service__isnull=True))
                | (Q(service__isnull=True) & Q(ozg_service__isnull=False)),
                name="responsibility_service_xor_ozg",
            ),
            models.CheckConstraint(
                condition=(~Q(ars_prefix="") & Q(postal_code=""))
                | (Q(ars_prefix="") & ~Q(postal_code="")),
                name="responsibility_ars_xor_postal_code",
            ),
        ]
        indexes = [
            models.Index(fields=["ars_prefix"]),
            models.Index(fields=["postal_code"]),
        ]

    def __str__(self) -> str:
        what = self.service or self.ozg_service
        area = self.postal_code or f"ARS {self.ars_prefix}"
        return f"{what} · {area} → {self.authority}"

    def clean(self) -> None:
        _check_unit_belongs_to_authority(self.org_unit, self.authority_id)

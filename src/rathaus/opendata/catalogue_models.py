"""The open data catalogue (DCAT-AP.de): datasets and their distributions, models of the
opendata app re-exported by :mod:`rathaus.opendata.models` (ADR 0062).

A dataset belongs to the authority whose catalogue lists it. Its publisher is that authority,
unless it was harvested from another catalogue: then ``publisher_name``/``publisher_uri`` name
the other publisher. Datasets that the platform itself produces (sensor series, the service
catalogue, construction sites …) carry the key of their ``source`` and are kept current by the
catalogue's sync, not by hand.

Licences, themes, frequencies and formats are stored as the URIs or codes of the vocabularies
DCAT-AP.de prescribes, so that the export writes them as they are.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

# Datenlizenz Deutschland – Namensnennung – Version 2.0
DEFAULT_LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"


class Theme(models.TextChoices):
    """The EU data themes (http://publications.europa.eu/resource/authority/data-theme/)."""

    AGRI = "AGRI", _("Agriculture, fisheries, forestry and food")
    ECON = "ECON", _("Economy and finance")
    EDUC = "EDUC", _("Education, culture and sport")
    ENER = "ENER", _("Energy")
    ENVI = "ENVI", _("Environment")
    GOVE = "GOVE", _("Government and public sector")
    HEAL = "HEAL", _("Health")
    INTR = "INTR", _("International issues")
    JUST = "JUST", _("Justice, legal system and public safety")
    REGI = "REGI", _("Regions and cities")
    SOCI = "SOCI", _("Population and society")
    TECH = "TECH", _("Science and technology")
    TRAN = "TRAN", _("Transport")


THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"


class Frequency(models.TextChoices):
    """Update frequencies (http://publications.europa.eu/resource/authority/frequency/)."""

    UPDATE_CONT = "UPDATE_CONT", _("continuously")
    HOURLY = "HOURLY", _("hourly")
    DAILY = "DAILY", _("daily")
    WEEKLY = "WEEKLY", _("weekly")
    MONTHLY = "MONTHLY", _("monthly")
    QUARTERLY = "QUARTERLY", _("quarterly")
    ANNUAL = "ANNUAL", _("yearly")
    IRREG = "IRREG", _("irregularly")
    NEVER = "NEVER", _("never")
    UNKNOWN = "UNKNOWN", _("unknown")


FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"


class Dataset(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    identifier = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(
        "core.Authority",
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        related_name="datasets",
        help_text=_("Whose catalogue lists the dataset."),
    )
    slug = models.SlugField(_("short name"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    publisher_name = models.CharField(
        _("publisher"), max_length=300, blank=True,
        help_text=_("Only for datasets of another publisher; empty: the authority."),
    )  # fmt: skip
    publisher_uri = models.CharField(_("publisher URI"), max_length=500, blank=True)
    contact_name = models.CharField(_("contact point"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_url = models.URLField(_("contact web page"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True, default=DEFAULT_LICENCE)
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    political_geocoding = models.CharField(
        _("political geocoding"), max_length=200, blank=True,
        help_text=_("DCAT-AP.de URI of the area; empty: the area of the authority."),
    )  # fmt: skip
    accrual_periodicity = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.UNKNOWN
    )
    landing_page = models.URLField(_("landing page"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(
        _("produced by"), max_length=100, blank=True,
        help_text=_("Key of the platform's own data source that keeps this dataset current."),
    )  # fmt: skip
    harvested_from = models.CharField(_("harvested from"), max_length=1000, blank=True)
    original_uri = models.CharField(_("URI in the source catalogue"), max_length=1000, blank=True)
    issued = models.DateTimeField(_("first published"), null=True, blank=True)
    modified = models.DateTimeField(_("last changed"), null=True, blank=True)
    # Platform datasets: the values of the fields staff may edit as the sync last wrote them,
    # and whether the sync withdrew the dataset (opendata.catalogue_sync, ADR 0064).
    synced = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "slug"], name="dataset_unique_slug"),
            models.UniqueConstraint(
                fields=["authority", "source"],
                condition=~models.Q(source=""),
                name="dataset_unique_source",
            ),
            models.UniqueConstraint(
                fields=["authority", "original_uri"],
                condition=~models.Q(original_uri=""),
                name="dataset_unique_original_uri",
            ),
        ]
        indexes = [models.Index(fields=["authority", "status", "modified"])]

    def __str__(self) -> str:
        return self.title


class Distribution(models.Model):
    class LinkStatus(models.TextChoices):
        UNCHECKED = "unchecked", _("not checked yet")
        OK = "ok", _("reachable")
        BROKEN = "broken", _("broken")

    identifier = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="distributions"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    access_url = models.URLField(_("access URL"), max_length=1000)
    download_url = models.URLField(_("download URL"), max_length=1000, blank=True)
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    format = models.CharField(
        _("format"), max_length=50, blank=True,
        help_text=_("Code of the EU file type list, e.g. CSV, JSON, GEOJSON."),
    )  # fmt: skip
    byte_size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    checksum_algorithm = models.CharField(_("checksum algorithm"), max_length=20, blank=True)
    checksum = models.CharField(_("checksum"), max_length=200, blank=True)
    licence = models.CharField(
        _("licence"), max_length=200, blank=True,
        help_text=_("Empty: the licence of the dataset."),
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    modified = models.DateTimeField(_("last changed"), null=True, blank=True)
    link_status = models.CharField(
        _("link"), max_length=20, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED
    )
    link_checked_at = models.DateTimeField(_("link checked"), null=True, blank=True)
    link_broken_since = models.DateTimeField(_("broken since"), null=True, blank=True)
    link_error = models.CharField(_("link error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["dataset", "position", "id"]

    def __str__(self) -> str:
        return self.title

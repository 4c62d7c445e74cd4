"""The texts of the pages the law requires, one row per authority (ADR 0024)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.model_fields import acting_user, stored_file
from rathaus.core.models import Authority


class LegalTexts(models.Model):
    """What staff of an authority enter for its Impressum, privacy notice, accessibility
    statement and its pages in Leichte Sprache and Deutsche Gebärdensprache.

    What the portal knows itself (the authority's address, the processing activities of the
    installed apps, the state of accessibility) is not stored here but shown from its source.
    """

    authority = models.OneToOneField(
        Authority, verbose_name=_("authority"), on_delete=models.CASCADE, related_name="legal_texts"
    )
    # Impressum (§ 5 DDG)
    representative = models.CharField(
        _("represented by"),
        max_length=200,
        blank=True,
        help_text=_("Name and office, e.g. “Erika Beispiel, Mayor”."),
    )
    legal_form = models.CharField(_("legal form"), max_length=200, blank=True)
    vat_id = models.CharField(_("VAT identification number"), max_length=20, blank=True)
    supervisory_authority = models.TextField(_("supervisory authority"), blank=True)
    imprint_notes = models.TextField(_("further information for the imprint"), blank=True)
    # Privacy notice (Art. 13 GDPR)
    data_protection_officer = models.TextField(_("data protection officer"), blank=True)
    data_protection_authority = models.TextField(
        _("data protection supervisory authority"), blank=True
    )
    privacy_notes = models.TextField(_("further information for the privacy notice"), blank=True)
    # Accessibility statement (BITV 2.0 § 7)
    accessibility_contact = models.TextField(_("contact for accessibility"), blank=True)
    conciliation_body = models.TextField(_("conciliation body"), blank=True)
    # Leichte Sprache and Deutsche Gebärdensprache (BITV 2.0 § 4)
    easy_language = models.TextField(_("text in Leichte Sprache"), blank=True)
    sign_language = models.TextField(_("text for the page in sign language"), blank=True)
    sign_language_video = stored_file(_("video in sign language"), optional=True)  # fmt: skip
    sign_language_captions = stored_file(_("captions (WebVTT)"), optional=True)  # fmt: skip
    demo = models.BooleanField(
        _("demo values"), default=False,
        help_text=_("The texts are examples that the authority must check before going live."),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = acting_user(_("changed by"))  # fmt: skip

    class Meta:
        verbose_name = _("legal texts")
        verbose_name_plural = _("legal texts")

    def __str__(self) -> str:
        return str(self.authority)

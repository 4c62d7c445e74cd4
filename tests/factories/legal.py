"""Factories for the legal app: the legal texts of an authority."""

from __future__ import annotations

import factory

from rathaus.legal.models import LegalTexts
from tests.factories.core import AuthorityFactory


class LegalTextsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalTexts

    authority = factory.SubFactory(AuthorityFactory)
    representative = "Erika Beispiel, Bürgermeisterin"
    legal_form = "Körperschaft des öffentlichen Rechts"
    supervisory_authority = "Landkreis Beispiel, Kommunalaufsicht"
    data_protection_officer = "Datenschutzbeauftragte, datenschutz@beispiel.example"
    data_protection_authority = "Landesbeauftragter für den Datenschutz"
    conciliation_body = "Schlichtungsstelle des Landes"
    easy_language = "## Das digitale Rathaus\n\nHier können Sie Termine machen."

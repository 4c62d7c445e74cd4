"""Reading form definitions."""

from __future__ import annotations

from functools import lru_cache

from rathaus.core.models import Authority
from rathaus.forms.engine import FormSpec
from rathaus.forms.models import FormDefinition, FormVersion


@lru_cache(maxsize=256)
def _published_spec(version_pk: int) -> FormSpec:
    version = FormVersion.objects.only("schema", "layout").get(pk=version_pk)
    return FormSpec(version.schema, version.layout)


def spec_for(version: FormVersion) -> FormSpec:
    """The engine's view of a version; published versions never change, so they are cached."""
    if version.status == FormVersion.Status.DRAFT:
        return FormSpec(version.schema, version.layout)
    return _published_spec(version.pk)


def definition_by_slug(authority: Authority | None, slug: str) -> FormDefinition | None:
    if authority is None:
        return None
    return (
        FormDefinition.objects.select_related("authority", "offer__service")
        .filter(authority=authority, slug=slug)
        .first()
    )


def published_for_offer(offer_id: int) -> FormDefinition | None:
    return (
        FormDefinition.objects.filter(
            offer_id=offer_id,
            retired_at__isnull=True,
            versions__status=FormVersion.Status.PUBLISHED,
        )
        .order_by("pk")
        .first()
    )

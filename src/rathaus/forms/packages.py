"""Form packages: a form definition with its metadata as one JSON file (see docs/forms.md).

Installing a package is idempotent: the same content installs nothing, changed content becomes a
new published version, and older versions stay for the drafts and submissions that use them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rathaus.catalog.models import Offer
from rathaus.core import pagecache
from rathaus.core.models import Authority
from rathaus.forms import services
from rathaus.forms.definitions import VERSION_FIELDS
from rathaus.forms.models import FormDefinition, FormVersion, TrustRequirement


class PackageError(ValueError):
    pass


def read(path: Path) -> dict[str, Any]:
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{path.name}: cannot be read as JSON ({exc})") from None
    if not isinstance(package, dict):
        raise PackageError(f"{path.name}: a form package is a JSON object")
    return package


def install(
    package: dict[str, Any], *, authority: Authority | None = None, actor: Any = None
) -> tuple[FormVersion, str]:
    """Install or update the package's form; returns the published version and what happened."""
    for key in ("slug", "title", "schema", "layout"):
        if key not in package:
            raise PackageError(f"the form package has no {key!r}")
    if authority is None:
        authority = Authority.objects.filter(slug=package.get("authority", "")).first()
        if authority is None:
            raise PackageError(f"unknown authority {package.get('authority')!r}")
    offer = None
    if package.get("leika_key"):
        offer = Offer.objects.filter(
            authority=authority, service__leika_key=package["leika_key"]
        ).first()
    fields = {name: package[name] for name in VERSION_FIELDS if name in package}
    fields.setdefault("min_trust_level", TrustRequirement.NONE)
    definition = FormDefinition.objects.filter(authority=authority, slug=package["slug"]).first()
    if definition is None:
        version = services.create_definition(
            authority=authority,
            slug=package["slug"],
            offer=offer,
            schema=package["schema"],
            layout=package["layout"],
            actor=actor,
            **fields,
        )
        return services.publish(version, actor=actor), "created"
    if offer is not None and definition.offer_id != offer.pk:
        FormDefinition.objects.filter(pk=definition.pk).update(offer=offer)
        pagecache.invalidate(definition.authority_id)  # the offer's page links the form
    current = definition.published_version()
    if current is not None and _same(current, package, fields):
        return current, "unchanged"
    version = services.new_version(
        definition, schema=package["schema"], layout=package["layout"], actor=actor, **fields
    )
    return services.publish(version, actor=actor), "updated"


def _same(version: FormVersion, package: dict[str, Any], fields: dict[str, Any]) -> bool:
    if version.schema != package["schema"] or version.layout != package["layout"]:
        return False
    return all(getattr(version, name) == value for name, value in fields.items())


def published_form(authority: Authority, slug: str) -> FormDefinition | None:
    """The authority's form ``slug`` if it is in use (not retired) and has a published version."""
    return (
        FormDefinition.objects.filter(
            authority=authority,
            slug=slug,
            retired_at__isnull=True,
            versions__status=FormVersion.Status.PUBLISHED,
        )
        .distinct()
        .first()
    )

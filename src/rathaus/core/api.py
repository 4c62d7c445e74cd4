"""Public API of the core app: the authorities served by this installation."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from rathaus.core.bounds import Slug
from rathaus.core.models import Authority

router = Router(tags=["authorities"])


class OrgUnitOut(Schema):
    slug: str
    name: str
    parent: str | None
    email: str
    phone: str


class AuthorityOut(Schema):
    slug: str
    name: str
    kind: Authority.Kind
    ags: str
    ars: str
    parent: str | None
    street: str
    postal_code: str
    city: str
    email: str
    phone: str
    website: str


class AuthorityDetailOut(AuthorityOut):
    org_units: list[OrgUnitOut]
    localities: list[dict[str, str]]


def _out(authority: Authority) -> dict[str, object]:
    return {
        "slug": authority.slug,
        "name": authority.name,
        "kind": authority.kind,
        "ags": authority.ags,
        "ars": authority.ars,
        "parent": authority.parent.slug if authority.parent else None,
        "street": authority.street,
        "postal_code": authority.postal_code,
        "city": authority.city,
        "email": authority.email,
        "phone": authority.phone,
        "website": authority.website,
    }


@router.get("", response=list[AuthorityOut], summary="Authorities served by this installation")
def list_authorities(
    request: HttpRequest, kind: Authority.Kind | None = None
) -> list[dict[str, object]]:
    """Every authority (Gemeinde, Verbandsgemeinde, Landkreis, Land) of this installation, by
    name; `kind` keeps one kind.
    """
    authorities = Authority.objects.select_related("parent").order_by("name")
    if kind is not None:
        authorities = authorities.filter(kind=kind)
    return [_out(authority) for authority in authorities]


@router.get("/{slug}", response=AuthorityDetailOut, summary="One authority with its units")
def get_authority(request: HttpRequest, slug: Slug) -> dict[str, object]:
    """The authority with this short name, its departments (org units, with their parent unit) and
    its localities (Ortsteile with postal codes). 404 if there is none.
    """
    authority = (
        Authority.objects.select_related("parent")
        .prefetch_related("org_units__parent", "localities")
        .filter(slug=slug)
        .first()
    )
    if authority is None:
        raise HttpError(404, f"No authority with the short name {slug!r}.")
    data = _out(authority)
    data["org_units"] = [
        {
            "slug": unit.slug,
            "name": unit.name,
            "parent": unit.parent.slug if unit.parent else None,
            "email": unit.email,
            "phone": unit.phone,
        }
        for unit in authority.org_units.all()
    ]
    data["localities"] = [
        {"name": locality.name, "postal_code": locality.postal_code}
        for locality in authority.localities.all()
    ]
    return data

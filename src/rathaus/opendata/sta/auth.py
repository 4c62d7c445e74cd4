"""Who may write the SensorThings API: reading is public, writing needs a staff API key.

The key comes as ``Authorization: Bearer rh_…`` (the keys of the staff API,
:mod:`rathaus.core.api_tokens`). Its owner must be a superuser or hold the role
``Administration`` or ``Sensordaten`` (:data:`rathaus.core.roles.SENSOR_DATA`) in some unit.

Writing is limited to the writer's authorities — those of their memberships with a writing
role (a superuser: all). A Thing belongs to an authority; its Datastreams, MultiDatastreams,
Observations and HistoricalLocations, and the Locations linked to it, belong to the same one.
Writing (or linking) what belongs to another authority's Thing is a 403. A Thing without an
authority (shown on every portal) and entities without a Thing (Sensors, ObservedProperties,
FeaturesOfInterest, unlinked Locations) are shared: every writer may write them. A new Thing
gets the writer's authority; a writer with several names one with ``properties.authority``
(its slug), else the request is a 400. See ``docs/sensorthings-writing.md``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest

from rathaus.core import roles
from rathaus.core.api_tokens import user_for_key
from rathaus.core.models import Authority, Membership
from rathaus.opendata.sta.errors import StaError, bad_request

WRITING_ROLES = (roles.ADMINISTRATOR, roles.SENSOR_DATA)

# The authority ids the current request may write; None: all (superuser). Set by
# :func:`writer` for the request, read by :func:`check` and :func:`claim`.
_scope: contextvars.ContextVar[frozenset[int] | None] = contextvars.ContextVar("sta_write_scope")


def may_write(user: Any) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__name__in=WRITING_ROLES).exists()


def writable_authorities(user: Any) -> frozenset[int] | None:
    """The ids of the authorities ``user`` may write sensor data for; None: all."""
    if user.is_superuser:
        return None
    return frozenset(
        Membership.objects.filter(user=user, role__name__in=WRITING_ROLES).values_list(
            "org_unit__authority_id", flat=True
        )
    )


def writer(request: HttpRequest) -> Any:
    """The staff member the request's key belongs to; 401 without a valid key, 403 without the
    right to write."""
    header = request.headers.get("Authorization", "")
    scheme, _space, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise StaError(401, "Writing needs a staff API key: send 'Authorization: Bearer rh_…'.")
    user = user_for_key(key.strip())
    if user is None:
        raise StaError(401, "The API key is unknown, revoked or expired.")
    if not may_write(user):
        raise StaError(
            403, "This key's owner may not write sensor data (role Administration or Sensordaten)."
        )
    return user


@contextmanager
def writing_as(user: Any) -> Iterator[None]:
    """Within: :func:`check` and :func:`claim` limit writes to ``user``'s authorities."""
    token = _scope.set(writable_authorities(user))
    try:
        yield
    finally:
        _scope.reset(token)


def _authorities_of(obj: Any) -> set[int | None]:
    """The authorities of the Things ``obj`` belongs to (None: a shared Thing); empty: shared."""
    from rathaus.opendata.models import Location, Observation, Thing

    if isinstance(obj, Thing):
        return {obj.authority_id}
    if isinstance(obj, Location):
        return set(Thing.objects.filter(locations=obj).values_list("authority_id", flat=True))
    if isinstance(obj, Observation):
        stream = obj.datastream if obj.datastream_id is not None else obj.multi_datastream
        return {stream.thing.authority_id} if stream is not None else set()
    thing = getattr(obj, "thing", None)  # Datastream, MultiDatastream, HistoricalLocation
    return {thing.authority_id} if isinstance(thing, Thing) else set()


def check(obj: Any) -> None:
    """403 if ``obj`` belongs to a Thing of an authority the writer may not write."""
    scope = _scope.get(None)
    if scope is None:
        return
    foreign = {pk for pk in _authorities_of(obj) if pk is not None and pk not in scope}
    if foreign:
        raise StaError(
            403,
            f"{type(obj).__name__} {obj.pk} belongs to a Thing of another authority; "
            "this key's owner may write only their own authority's sensor data.",
        )


def claim(obj: Any) -> None:
    """A new Thing gets the writer's authority (see the module text)."""
    from rathaus.opendata.models import Thing

    if not isinstance(obj, Thing):
        return
    scope = _scope.get(None)
    named = obj.properties.get("authority") if isinstance(obj.properties, dict) else None
    if named is not None:
        found = Authority.objects.filter(slug=named).first() if isinstance(named, str) else None
        if found is None:
            raise bad_request(f"properties.authority: there is no authority {named!r}.")
        if scope is not None and found.pk not in scope:
            raise StaError(403, f"properties.authority: this key's owner may not write for "
                                f"{named!r}.")  # fmt: skip
        obj.authority = found
    elif scope is not None:
        if len(scope) != 1:
            raise bad_request(
                "This key's owner writes for several authorities: name the Thing's authority "
                'with its slug in properties, e.g. "properties": {"authority": "barleben"}.'
            )
        (obj.authority_id,) = scope

"""Who may write the SensorThings API: reading is public, writing needs a staff API key.

The key comes as ``Authorization: Bearer rh_…`` (the keys of the staff API,
:mod:`rathaus.core.api_tokens`). Its owner must be a superuser or hold the role
``Administration`` or ``Sensordaten`` (:data:`rathaus.core.roles.SENSOR_DATA`) in some unit.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rathaus.core import roles
from rathaus.core.api_tokens import user_for_key
from rathaus.core.models import Membership
from rathaus.opendata.sta.errors import StaError

WRITING_ROLES = (roles.ADMINISTRATOR, roles.SENSOR_DATA)


def may_write(user: Any) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__name__in=WRITING_ROLES).exists()


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

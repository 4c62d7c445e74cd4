"""Who keeps the school IT of an authority (the shared rule of :mod:`rathaus.core.keepers`): the
roles "Administration" and "Schul-IT", a role with ``schools.change_device`` (the migration gives
it to "Schul-IT"), or that permission held directly or through the group."""

from __future__ import annotations

from rathaus.core.keepers import Keepers

ROLE = "Schul-IT"
"""The role of the staff (and the IT service provider) who look after the schools' devices."""
KEEPERS = Keepers(role=ROLE, app_label="schools", codename="change_device")

kept_authorities = KEEPERS.kept_authorities
may_keep = KEEPERS.may_keep
keeps = KEEPERS.keeps

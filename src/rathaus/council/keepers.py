"""Who keeps the council's information of an authority (the shared rule of
:mod:`rathaus.core.keepers`): the roles "Administration" and "Ratsbüro", a role with the
permission ``council.change_meeting`` (the migration gives it to "Ratsbüro"), or that permission
held directly or through the group "Ratsbüro"."""

from __future__ import annotations

from rathaus.core.keepers import Keepers

ROLE = "Ratsbüro"
"""The role of the staff who keep the council's meetings, papers and members (council office)."""
KEEPERS = Keepers(role=ROLE, app_label="council", codename="change_meeting")

kept_authorities = KEEPERS.kept_authorities
may_keep = KEEPERS.may_keep
keeps = KEEPERS.keeps

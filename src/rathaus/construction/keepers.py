"""Who keeps the construction sites and projects of an authority (the shared rule of
:mod:`rathaus.core.keepers`): the roles "Administration" and "Baustellen", a role with the
permission ``construction.change_project`` (the migration gives it to "Baustellen"), or that
permission held directly or through the group "Baustellen", as the demo clerk ``bauamt`` has it.
"""

from __future__ import annotations

from rathaus.core.keepers import Keepers

ROLE = "Baustellen"
"""The role of the staff who keep construction sites and projects (Ordnungsamt, Bauamt)."""
KEEPERS = Keepers(role=ROLE, app_label="construction", codename="change_project")
CHANGE = KEEPERS.permission
KEEPING_ROLES = KEEPERS.roles

kept_authorities = KEEPERS.kept_authorities
may_keep = KEEPERS.may_keep
keeps = KEEPERS.keeps

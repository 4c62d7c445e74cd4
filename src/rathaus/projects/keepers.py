"""Who keeps an authority's digital projects (the shared rule of :mod:`rathaus.core.keepers`):
the roles "Administration" and "Projekte", a role with ``projects.change_project`` (the
migration gives it to "Projekte"), or that permission held directly or through the group."""

from __future__ import annotations

from rathaus.core.keepers import Keepers

ROLE = "Projekte"
"""The role of the staff who keep the digital projects and their funding."""
KEEPERS = Keepers(role=ROLE, app_label="projects", codename="change_project")

kept_authorities = KEEPERS.kept_authorities
may_keep = KEEPERS.may_keep
keeps = KEEPERS.keeps

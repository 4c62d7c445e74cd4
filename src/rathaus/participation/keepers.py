"""Who runs the participation processes of an authority (the shared rule of
:mod:`rathaus.core.keepers`): the roles "Administration" and "Beteiligung", a role with the
permission ``participation.change_process`` (the migration gives it to "Beteiligung"), or that
permission held directly or through the group "Beteiligung"."""

from __future__ import annotations

from rathaus.core.keepers import Keepers

ROLE = "Beteiligung"
"""The role of the staff who prepare processes and surveys and review free texts."""
KEEPERS = Keepers(role=ROLE, app_label="participation", codename="change_process")

kept_authorities = KEEPERS.kept_authorities
may_keep = KEEPERS.may_keep
keeps = KEEPERS.keeps

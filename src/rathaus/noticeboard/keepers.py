"""Who keeps the official notices and the screens of an authority (the shared rule of
:mod:`rathaus.core.keepers`): the roles "Administration" and "Bekanntmachungen", a role with the
permission ``noticeboard.change_notice`` (the migration gives it to "Bekanntmachungen"), or that
permission held directly or through the group "Bekanntmachungen"."""

from __future__ import annotations

from rathaus.core.keepers import Keepers

ROLE = "Bekanntmachungen"
"""The role of the staff who publish official notices and configure the screens."""
KEEPERS = Keepers(role=ROLE, app_label="noticeboard", codename="change_notice")

kept_authorities = KEEPERS.kept_authorities
may_keep = KEEPERS.may_keep
keeps = KEEPERS.keeps

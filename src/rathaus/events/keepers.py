"""Who keeps an authority's events (the shared rule of :mod:`rathaus.core.keepers`): the roles
"Administration" and "Veranstaltungen", a role with ``events.change_event`` (the migration gives
it to "Veranstaltungen"), or that permission held directly or through the group."""

from __future__ import annotations

from rathaus.core.keepers import Keepers

ROLE = "Veranstaltungen"
"""The role of the staff who run the events of the Digitalwerkstatt."""
KEEPERS = Keepers(role=ROLE, app_label="events", codename="change_event")

kept_authorities = KEEPERS.kept_authorities
may_keep = KEEPERS.may_keep
keeps = KEEPERS.keeps

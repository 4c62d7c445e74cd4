"""Staff roles. A role is a permission group; a membership gives a user a role in one unit."""

from __future__ import annotations

CLERK = "Sachbearbeitung"
HEAD = "Leitung"
ADMINISTRATOR = "Administration"

ALL = (CLERK, HEAD, ADMINISTRATOR)

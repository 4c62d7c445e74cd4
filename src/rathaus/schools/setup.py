"""Set up once from ``SchoolsConfig.ready()``: the staff navigation entry, the daily deletion
of old requests and loans, and the demo loader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

RETENTION_JOB = "schools.retention"


def ready() -> None:
    from rathaus.core import demo as core_demo
    from rathaus.core import housekeeping, navigation
    from rathaus.schools import demo, support

    navigation.register_staff(
        navigation.StaffNavItem(
            "schools", _("School IT"), "schools_staff:list", 77, permitted=keeps_schools
        )
    )
    housekeeping.register(RETENTION_JOB, support.delete_old, timedelta(days=1))
    core_demo.register_loader("schools", demo.load)
    core_demo.login_notes.append(
        "Demo school IT: staff pages /verwaltung/schulen/ (the administrator digitales keeps "
        f"them); the school login of a teacher at /schule/anmelden/: {demo.DEMO_TEACHER} with "
        "the demo password."
    )


def keeps_schools(staff: Any) -> bool:
    from rathaus.schools import keepers

    return keepers.keeps(staff)

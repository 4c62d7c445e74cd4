"""Set up once from ``SchoolsConfig.ready()``: the staff navigation entry and the demo loader."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from rathaus.core import demo as core_demo
    from rathaus.core import navigation
    from rathaus.schools import demo

    navigation.register_staff(
        navigation.StaffNavItem(
            "schools", _("School IT"), "schools_staff:list", 77, permitted=keeps_schools
        )
    )
    core_demo.register_loader("schools", demo.load)
    core_demo.login_notes.append(
        "Demo school IT: staff pages /verwaltung/schulen/ (the administrator digitales keeps "
        f"them); the school login of a teacher at /schule/anmelden/: {demo.DEMO_TEACHER} with "
        "the demo password."
    )


def keeps_schools(staff: Any) -> bool:
    from rathaus.schools import keepers

    return keepers.keeps(staff)

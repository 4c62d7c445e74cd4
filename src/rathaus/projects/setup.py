"""Set up once from ``ProjectsConfig.ready()``: the staff navigation entry, the worker's job
that reminds of report deadlines, and the demo loader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

REMINDER_JOB = "projects.deadline_reminders"


def ready() -> None:
    from rathaus.core import demo as core_demo
    from rathaus.core import housekeeping, navigation
    from rathaus.projects import demo, services

    navigation.register_staff(
        navigation.StaffNavItem(
            "projects", _("Digital projects"), "projects_staff:list", 77, permitted=keeps_projects
        )
    )
    housekeeping.register(REMINDER_JOB, services.send_deadline_reminders, timedelta(hours=6))
    core_demo.register_loader("projects", demo.load)
    core_demo.login_notes.append(
        "Digital projects and their funding (from the council papers IV-0012/2020 and "
        "IV-003/2022): /digitalisierung/; staff with the role „Projekte“ or „Administration“: "
        "/verwaltung/projekte/, the council paper at /verwaltung/projekte/bericht/ or "
        "`rathaus report-projects --out bericht.pdf`."
    )


def keeps_projects(staff: Any) -> bool:
    from rathaus.projects import keepers

    return keepers.keeps(staff)

"""The town's construction projects (Bauvorhaben): who keeps them, the changes staff make, and
how amounts and time frames are said to people.

Staff keep the projects of the authority of the request by the same rule as its construction
sites (``keepers``). Every change goes through a function here, writes an
audit entry and commits with it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.construction import keepers
from rathaus.construction.models import (
    Project,
    ProjectPhase,
    ProjectPicture,
    Publication,
)
from rathaus.core import audit
from rathaus.core.models import Authority

CHANGE = keepers.CHANGE
ROLE = keepers.ROLE
STATE_ORDER = (
    Project.State.UNDER_CONSTRUCTION,
    Project.State.PLANNED,
    Project.State.COMPLETED,
)
STATE_HEADINGS = {
    Project.State.UNDER_CONSTRUCTION: gettext_lazy("Under construction"),
    Project.State.PLANNED: gettext_lazy("Planned"),
    Project.State.COMPLETED: gettext_lazy("Completed"),
}

PHASE_STATES = {
    ProjectPhase.State.DONE: gettext_lazy("Finished"),
    ProjectPhase.State.IN_PROGRESS: gettext_lazy("Under way"),
    ProjectPhase.State.PLANNED: gettext_lazy("Planned"),
}


# --- who may keep the projects: the same people as the sites (see ``keepers``) ----------------

may_keep = keepers.may_keep


# --- what the public sees --------------------------------------------------------------------


def published(authority: Authority | None) -> QuerySet[Project]:
    if authority is None:
        return Project.objects.none()
    return Project.objects.filter(authority=authority, status=Publication.PUBLISHED)


def budget_in_words(cents: int | None) -> str:
    """A budget as people say it: "2,45 Mio. €" from a million on, else "850.000 €"."""
    if cents is None:
        return ""
    euros = Decimal(cents) / 100
    if euros >= 1_000_000:
        millions = (euros / 1_000_000).quantize(Decimal("0.01"), ROUND_HALF_UP)
        text = f"{millions:f}".rstrip("0").rstrip(".").replace(".", ",")
        return _("%(amount)s million €") % {"amount": text}
    whole = euros.quantize(Decimal("1"), ROUND_HALF_UP)
    if whole == euros:
        return f"{int(whole):,}\u00a0€".replace(",", ".")
    return f"{euros:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + "\u00a0€"


def month_year(day: dt.date) -> str:
    return date_format(day, "F Y")


def time_frame(starts_on: dt.date | None, ends_on: dt.date | None) -> str:
    """The time frame in words: "März 2025 bis Dezember 2026", "ab Mai 2027" …"""
    if starts_on and ends_on and month_year(starts_on) == month_year(ends_on):
        return month_year(starts_on)  # "August 2027", not "August 2027 bis August 2027"
    if starts_on and ends_on:
        return _("%(start)s to %(end)s") % {
            "start": month_year(starts_on),
            "end": month_year(ends_on),
        }
    if starts_on:
        return _("from %(start)s") % {"start": month_year(starts_on)}
    if ends_on:
        return _("until %(end)s") % {"end": month_year(ends_on)}
    return ""


# --- changes by staff ------------------------------------------------------------------------


def unique_slug(authority: Authority, title: str) -> str:
    base = slugify(title)[:90] or "bauvorhaben"
    taken = set(
        Project.objects.filter(authority=authority, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _record(action: str, actor: Any, project: Project, **details: Any) -> None:
    audit.record(
        f"construction.project.{action}",
        actor=actor,
        authority=project.authority,
        obj=project,
        details=details or None,
    )


def save_project(project: Project, actor: Any, changed: list[str]) -> Project:
    """Create or update a project; a new one gets its short name from the title."""
    with transaction.atomic():
        created = project.pk is None
        if created:
            project.slug = unique_slug(project.authority, project.title)
        project.save()
        _record("created" if created else "changed", actor, project, fields=sorted(changed))
    return project


def publish(project: Project, actor: Any) -> None:
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status == Publication.PUBLISHED:
            return
        locked.status = Publication.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        _record("published", actor, locked)


def withdraw(project: Project, actor: Any) -> None:
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status == Publication.DRAFT:
            return
        locked.status = Publication.DRAFT
        locked.save(update_fields=["status", "updated_at"])
        _record("withdrawn", actor, locked)


def next_position(rows: QuerySet[Any]) -> int:
    return int(rows.aggregate(top=Max("position"))["top"] or 0) + 1


def save_phase(phase: ProjectPhase, actor: Any, changed: list[str]) -> ProjectPhase:
    with transaction.atomic():
        created = phase.pk is None
        if created:
            phase.position = next_position(phase.project.phases.all())
        phase.save()
        _record(
            "phase_added" if created else "phase_changed", actor, phase.project,
            phase=phase.title, fields=sorted(changed),
        )  # fmt: skip
    return phase


def remove_phase(phase: ProjectPhase, actor: Any) -> None:
    with transaction.atomic():
        phase.delete()
        _record("phase_removed", actor, phase.project, phase=phase.title)


def move(row: ProjectPhase | ProjectPicture, up: bool, actor: Any) -> None:
    """Swap a phase or picture with its neighbour above or below; positions are renumbered
    first, so rows with equal positions (made elsewhere) move too."""
    project = row.project
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        rows: list[ProjectPhase | ProjectPicture] = list(
            type(row).objects.filter(project=project).order_by("position", "id")
        )
        index = next(number for number, item in enumerate(rows) if item.pk == row.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for position, item in enumerate(rows, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        kind = "phase" if isinstance(row, ProjectPhase) else "picture"
        _record(f"{kind}_moved", actor, project, item=str(row), direction="up" if up else "down")


def add_picture(picture: ProjectPicture, actor: Any) -> ProjectPicture:
    with transaction.atomic():
        picture.position = next_position(picture.project.pictures.all())
        picture.save()
        _record("picture_added", actor, picture.project, picture=picture.alt_text)
    return picture


def change_picture(picture: ProjectPicture, actor: Any, changed: list[str]) -> None:
    with transaction.atomic():
        picture.save()
        _record(
            "picture_changed", actor, picture.project, picture=picture.alt_text,
            fields=sorted(changed),
        )  # fmt: skip


def remove_picture(picture: ProjectPicture, actor: Any) -> None:
    from rathaus.core.files import release

    files = [picture.file_id, picture.display_id]
    with transaction.atomic():
        picture.delete()
        _record("picture_removed", actor, picture.project, picture=picture.alt_text)
        release(files)


# --- wiring ----------------------------------------------------------------------------------


def ready() -> None:
    """Called by ``ConstructionConfig.ready``: the demo projects. Their staff pages are a tab of
    the staff entry "Baustellen"."""
    from rathaus.construction import project_demo
    from rathaus.core import demo

    demo.register_loader("construction_projects", project_demo.load)

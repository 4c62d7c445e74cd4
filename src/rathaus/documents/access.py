"""Who may see which files: staff of the file's unit and of the units above it (as for cases).

Every query for files goes through :func:`visible_files`, so a file of another unit is never
found (404), not merely hidden. Heads of unit (role ``Leitung``) and administrators may also
read the access log, approve deletions and hand files over.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rathaus.core import roles
from rathaus.core.models import Membership, OrgUnit
from rathaus.core.scoping import unit_ids
from rathaus.documents.models import Document, File, Subject


def visible_files(user: Any) -> QuerySet[File]:
    return File.objects.filter(org_unit_id__in=unit_ids(user))


def visible_documents(user: Any) -> QuerySet[Document]:
    return Document.objects.filter(file__org_unit_id__in=unit_ids(user))


def visible_subjects(user: Any) -> QuerySet[Subject]:
    """The file plans of the authorities the user works for."""
    authorities = Membership.objects.filter(user=user).values("org_unit__authority_id")
    return Subject.objects.filter(authority_id__in=authorities)


def manages(user: Any, file: File) -> bool:
    """Head of the file's unit (or a unit above it), or an administrator there."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    units = []
    unit: OrgUnit | None = file.org_unit
    while unit is not None:
        units.append(unit.pk)
        unit = unit.parent
    return Membership.objects.filter(
        user=user, org_unit_id__in=units, role__name__in=roles.MANAGING
    ).exists()

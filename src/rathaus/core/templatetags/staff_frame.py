"""The frame of the staff workspace: ``{% staff_navigation %}`` in ``staff/base.html``.

It shows the entries of :mod:`rathaus.core.navigation` the member of staff may use, who is
logged in, in which units, and the logout. Before the login (the login pages use the same
frame) it shows only the way back to the portal.
"""

from __future__ import annotations

from typing import Any

from django import template

from rathaus.core import navigation, staff_auth
from rathaus.core.models import Membership

register = template.Library()


@register.inclusion_tag("staff/_navigation.html", takes_context=True)
def staff_navigation(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    if not staff_auth.is_verified_staff(user):
        return {"logged_in": False}
    memberships = list(
        Membership.objects.filter(user_id=user.pk)
        .select_related("org_unit__authority", "role")
        .order_by("org_unit__authority__name", "org_unit__name")
    )
    staff = navigation.StaffUser(user, memberships)
    entries = navigation.staff_items(staff)
    current = navigation.current_staff_item(entries, request.path, request.GET.urlencode())
    units = sorted({f"{m.org_unit.name} ({m.org_unit.authority.name})" for m in memberships})
    return {
        "logged_in": True,
        "entries": [(item, item.key == current) for item in entries],
        "name": user.get_full_name() or user.get_username(),
        "units": units,
    }

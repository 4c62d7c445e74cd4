"""The staff page of background tasks set aside (ADR 0021): what they were for, and retry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rathaus.core import roles, taskqueue
from rathaus.core.models import Membership
from rathaus.core.staff_views import staff_required

MANAGING_ROLES = roles.MANAGING


def may_manage_tasks(user: Any) -> bool:
    """Heads and administrators of any unit (and superusers) look after the task queue."""
    if user.is_superuser:
        return True
    return Membership.objects.filter(user_id=user.pk or 0, role__name__in=MANAGING_ROLES).exists()


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def tasks_view(request: HttpRequest) -> HttpResponse:
    if not may_manage_tasks(request.user):
        raise PermissionDenied
    if request.method == "POST":
        raw = request.POST.get("letter", "")
        if raw.isdigit() and taskqueue.retry(int(raw), request.user):
            messages.success(request, _("The task was queued again."))
        else:
            messages.error(request, _("This task does not exist or was queued again already."))
        return redirect("staff:tasks")
    letters = list(taskqueue.open_dead_letters()[:200])
    rows = [(letter, taskqueue.describe(letter)) for letter in letters]
    return render(request, "staff/tasks.html", {"rows": rows, "state": taskqueue.queue_state()})

"""The staff page of MQTT messages that could not be stored (/verwaltung/sensordaten/fehler/):
each with its topic, message and reason; "try again" once the cause is fixed, or "discard".
For administrators (and superusers); works without JavaScript (ADR 0059)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rathaus.core import roles
from rathaus.core.models import Membership
from rathaus.core.staff_views import staff_required
from rathaus.opendata.mqtt import dead_letters

SHOWN = 200


def may_look_after_sensor_data(user: Any) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.filter(user_id=user.pk or 0, role__name=roles.ADMINISTRATOR).exists()


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    if not may_look_after_sensor_data(request.user):
        raise PermissionDenied("only administrators look after sensor data")
    if request.method == "POST":
        return _act(request)
    letters = dead_letters.open_letters()
    return render(request, "opendata/staff/dead_letters.html", {
        "letters": list(letters[:SHOWN]), "total": letters.count(), "shown": SHOWN,
    })  # fmt: skip


def _act(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("nachricht", "")
    action = request.POST.get("aktion", "")
    letter = (
        dead_letters.open_letters().filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    if letter is None or action not in {"erneut", "verwerfen"}:
        messages.error(request, _("This message does not exist or was dealt with already."))
    elif action == "verwerfen":
        dead_letters.discard(letter)
        messages.success(request, _("The message was discarded."))
    else:
        reason = dead_letters.retry(letter)
        if reason is None:
            messages.success(request, _("The message was stored as an observation."))
        else:
            messages.error(
                request, _("The message still cannot be stored: %(reason)s") % {"reason": reason}
            )
    return redirect("mqtt_staff:dead_letters")

"""Staff pages of the screens of the digital notice board
(``/verwaltung/bekanntmachungen/anzeigen/``, ADR 0067).

Who keeps them: ``keepers`` of the notice board (role "Bekanntmachungen", Administration,
superusers); others get a 403 in the staff frame, a screen of another authority is a 404. A
screen's slots are edited without JavaScript: each slot is a small form of its own (seconds,
options), moved up or down and removed by buttons. Every change is audited
(``noticeboard.screen.*``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core import audit
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.noticeboard import keepers, screens
from rathaus.noticeboard.models import Screen, Slot
from rathaus.noticeboard.staff_screen_forms import AddSlotForm, ScreenForm, SlotForm, source_label


def _authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = keepers.kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("keeps the screens of no authority")
    return found


def _chosen(request: HttpRequest, authorities: QuerySet[Authority]) -> Authority:
    slug = request.GET.get("behoerde", "")[:100]
    chosen = authorities.filter(slug=slug).first() if slug else None
    return chosen or authorities.first()  # type: ignore[return-value]


def _screen(request: HttpRequest, pk: int) -> Screen:
    screen = (
        Screen.objects.select_related("authority")
        .filter(pk=pk, authority__in=_authorities(request))
        .first()
    )
    if screen is None:
        raise Http404("no screen of the user's authorities")
    return screen


def _slot(screen: Screen, slot_pk: int) -> Slot:
    slot = screen.slots.filter(pk=slot_pk).first()
    if slot is None:
        raise Http404("no such slot of this screen")
    return slot


def _edit_url(screen: Screen) -> str:
    return reverse("noticeboard_staff:screen", args=[screen.pk])


def _audit(request: HttpRequest, action: str, screen: Screen, **details: Any) -> None:
    audit.record(f"noticeboard.screen.{action}", actor=request.user, authority=screen.authority,
                 obj=screen, details=details or None)  # fmt: skip


@never_cache
@require_safe
@staff_required
def screen_list(request: HttpRequest) -> HttpResponse:
    authorities = _authorities(request)
    authority = _chosen(request, authorities)
    now = timezone.now()
    rows = list(Screen.objects.filter(authority=authority).order_by("name", "id"))
    for row in rows:
        row.dead = screens.is_dead(row, now)  # type: ignore[attr-defined]
    context = {"authority": authority, "authorities": authorities, "screens": rows,
               "dead_after": int(screens.DEAD_AFTER.total_seconds() // 60)}  # fmt: skip
    return render(request, "noticeboard/staff/screens/list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def screen_add(request: HttpRequest) -> HttpResponseBase:
    authorities = _authorities(request)
    authority = _chosen(request, authorities)
    form = ScreenForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            screen = form.save()
            _audit(request, "created", screen, slug=screen.slug)
        messages.success(request, _("The screen “%(name)s” was created. Now choose what it "
                                    "shows.") % {"name": screen.name})  # fmt: skip
        return redirect(_edit_url(screen))
    context = {"form": form, "authority": authority, "screen": None}
    return render(request, "noticeboard/staff/screens/edit.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


def _edit_page(
    request: HttpRequest, screen: Screen, *, form: ScreenForm | None = None,
    add_form: AddSlotForm | None = None, failed: SlotForm | None = None,
) -> HttpResponse:  # fmt: skip
    slots = list(screen.slots.order_by("position", "id"))
    slot_forms = [failed if failed and failed.slot.pk == slot.pk else SlotForm(slot=slot)
                  for slot in slots]  # fmt: skip
    for slot_form in slot_forms:
        slot_form.label = source_label(slot_form.slot.source)  # type: ignore[attr-defined]
    bound = any(f is not None and f.is_bound for f in (form, add_form, failed))
    context = {
        "screen": screen,
        "authority": screen.authority,
        "form": form or ScreenForm(instance=screen, authority=screen.authority),
        "add_form": add_form or AddSlotForm(),
        "slot_forms": slot_forms,
        "error_form": next((f for f in (form, add_form, failed) if f is not None and f.errors),
                           None),
        "public_url": request.build_absolute_uri(reverse("screens:screen", args=[screen.slug])),
    }  # fmt: skip
    return render(request, "noticeboard/staff/screens/edit.html", context,
                  status=422 if bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def screen_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    screen = _screen(request, pk)
    if request.method != "POST":
        return _edit_page(request, screen)
    form = ScreenForm(request.POST, instance=screen, authority=screen.authority)
    if not form.is_valid():
        return _edit_page(request, screen, form=form)
    with transaction.atomic():
        form.save()
        _audit(request, "changed", screen, fields=sorted(form.changed_data))
    messages.success(request, _("The screen “%(name)s” was saved.") % {"name": screen.name})
    return redirect(_edit_url(screen))


@require_POST
@staff_required
def slot_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    screen = _screen(request, pk)
    form = AddSlotForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, screen, add_form=form)
    with transaction.atomic():
        last = screen.slots.aggregate(last=Max("position"))["last"]
        slot = Slot.objects.create(
            screen=screen, source=form.cleaned_data["source"],
            seconds=form.cleaned_data["seconds"], position=0 if last is None else last + 1,
        )  # fmt: skip
        _audit(request, "slot_added", screen, source=slot.source, seconds=slot.seconds)
    messages.success(
        request, _("“%(content)s” was added.") % {"content": source_label(slot.source)}
    )
    return redirect(_edit_url(screen) + "#inhalte")


@require_POST
@staff_required
def slot_edit(request: HttpRequest, pk: int, slot: int) -> HttpResponseBase:
    screen = _screen(request, pk)
    form = SlotForm(request.POST, slot=_slot(screen, slot))
    if not form.is_valid():
        return _edit_page(request, screen, failed=form)
    changed = form.slot
    with transaction.atomic():
        changed.seconds = form.cleaned_data["seconds"]
        changed.options = form.options()
        changed.save(update_fields=["seconds", "options"])
        _audit(request, "slot_changed", screen, source=changed.source, seconds=changed.seconds,
               options=changed.options)  # fmt: skip
    messages.success(
        request, _("“%(content)s” was saved.") % {"content": source_label(changed.source)}
    )
    return redirect(_edit_url(screen) + "#inhalte")


@require_POST
@staff_required
def slot_move(request: HttpRequest, pk: int, slot: int) -> HttpResponseBase:
    screen = _screen(request, pk)
    moved = _slot(screen, slot)
    step = -1 if request.POST.get("richtung") == "hoch" else 1
    with transaction.atomic():
        ordered = list(screen.slots.select_for_update().order_by("position", "id"))
        at = next(i for i, row in enumerate(ordered) if row.pk == moved.pk)
        to = at + step
        if 0 <= to < len(ordered):
            ordered[at], ordered[to] = ordered[to], ordered[at]
            for position, row in enumerate(ordered):
                if row.position != position:
                    row.position = position
                    row.save(update_fields=["position"])
            _audit(request, "slot_moved", screen, source=moved.source, position=to)
    return redirect(_edit_url(screen) + "#inhalte")


@require_POST
@staff_required
def slot_remove(request: HttpRequest, pk: int, slot: int) -> HttpResponseBase:
    screen = _screen(request, pk)
    removed = _slot(screen, slot)
    with transaction.atomic():
        removed.delete()
        _audit(request, "slot_removed", screen, source=removed.source)
    messages.success(
        request, _("“%(content)s” was removed.") % {"content": source_label(removed.source)}
    )
    return redirect(_edit_url(screen) + "#inhalte")

"""Staff pages for the end of retention (Aussonderung) below ``/verwaltung/akten/aussonderung/``:
the files that are due, the deletion requests waiting for a second person, the form to request a
deletion and the deletion records (ADR 0044). Every change goes through :mod:`retention`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core.models import Membership
from rathaus.core.staff_views import staff_required
from rathaus.documents import access, retention
from rathaus.documents.models import DeletionRecord, DeletionRequest
from rathaus.documents.services import FileRefused

LIST_LIMIT = 500


def _pending_rows(user: Any) -> list[dict[str, Any]]:
    pending = (
        DeletionRequest.objects.filter(
            file__in=access.visible_files(user), status=DeletionRequest.Status.PENDING
        )
        .select_related("file", "file__subject", "file__org_unit", "requested_by")
        .order_by("requested_at", "pk")[:LIST_LIMIT]
    )
    rows = []
    for request in pending:
        own = request.requested_by_id == user.pk
        rows.append(
            {
                "request": request,
                "own": own,
                "may_decide": not own and access.manages(user, request.file),
            }
        )
    return rows


@never_cache
@require_safe
@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    due = retention.with_pending_request(retention.ended().filter(
        pk__in=access.visible_files(request.user).values("pk")
    )).order_by("retention_ends_on", "number")  # fmt: skip
    return render(
        request,
        "documents/staff/retention.html",
        {
            "destroy": list(retention.to_destroy(due)[:LIST_LIMIT]),
            "archive": list(retention.to_archive(due)[:LIST_LIMIT]),
            "pending": _pending_rows(request.user),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def request_deletion(request: HttpRequest, pk: int) -> HttpResponse:
    file = get_object_or_404(access.visible_files(request.user).select_related("subject"), pk=pk)
    error = retention.refusal(file)
    reason = request.POST.get("reason", "").strip()[:300]
    if request.method == "POST":
        try:
            retention.request_deletion(file, request.user, reason)
        except FileRefused as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                _("The deletion of file %(number)s was requested. A head of the unit decides.")
                % {"number": file.number},
            )
            return redirect("documents:retention")
    return render(
        request,
        "documents/staff/request_deletion.html",
        {"file": file, "error": error, "reason": reason},
        status=400 if error and request.method == "POST" else 200,
    )


@never_cache
@require_POST
@staff_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    deletion = get_object_or_404(
        DeletionRequest.objects.filter(file__in=access.visible_files(request.user)), pk=pk
    )
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    number = deletion.file.number
    try:
        if action == "approve":
            retention.approve(deletion, request.user, note)
            done = _("File %(number)s was destroyed.")
        elif action == "reject":
            retention.reject(deletion, request.user, note)
            done = _("The deletion of file %(number)s was rejected.")
        elif action == "withdraw":
            retention.withdraw(deletion, request.user)
            done = _("The deletion request for file %(number)s was withdrawn.")
        else:
            raise Http404
    except FileRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done % {"number": number})
    return redirect("documents:retention")


@never_cache
@require_safe
@staff_required
def records(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    authorities = Membership.objects.filter(user=user).values("org_unit__authority_id")
    rows = DeletionRecord.objects.filter(authority_id__in=authorities)[:LIST_LIMIT]
    return render(request, "documents/staff/deletion_records.html", {"records": rows})

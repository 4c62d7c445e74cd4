"""The account holder's mailbox under /konto/postfach/."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.accounts import mailbox
from rathaus.accounts.models import Message, MessageAttachment
from rathaus.accounts.views import account_required


def _own_messages(request: HttpRequest) -> QuerySet[Message]:
    return Message.objects.filter(account__user_id=request.user.pk or 0)


@never_cache
@require_safe
@account_required
def inbox(request: HttpRequest) -> HttpResponse:
    messages = _own_messages(request).select_related("authority", "sender_unit")
    return render(request, "accounts/mailbox.html", {"mailbox_messages": messages})


@never_cache
@require_safe
@account_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = (
        _own_messages(request)
        .select_related("authority", "sender_unit")
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise Http404("no such message in this mailbox")
    mailbox.mark_read(message)
    return render(request, "accounts/message.html", {"message": message})


@never_cache
@require_safe
@account_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    found = (
        MessageAttachment.objects.filter(
            pk=attachment_pk, message_id=pk, message__account__user_id=request.user.pk or 0
        )
        .select_related("message")
        .first()
    )
    if found is None:
        raise Http404("no such attachment in this mailbox")
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.filename,
        content_type="application/pdf",
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response

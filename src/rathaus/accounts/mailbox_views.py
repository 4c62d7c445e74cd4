"""The account holder's mailbox under /konto/postfach/."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.accounts import mailbox
from rathaus.accounts.models import Message, MessageAttachment
from rathaus.accounts.views import account_required
from rathaus.core import files, refusals


def _own_messages(request: HttpRequest) -> QuerySet[Message]:
    return Message.objects.filter(account__user_id=request.user.pk or 0)


@never_cache
@require_safe
@account_required
def inbox(request: HttpRequest) -> HttpResponse:
    messages = _own_messages(request).select_related("authority", "sender_unit")
    return render(request, "accounts/mailbox.html", {"mailbox_messages": messages})


@never_cache
@require_http_methods(["GET", "POST"])
@account_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    message = (
        _own_messages(request)
        .select_related("authority", "sender_unit", "in_reply_to")
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise refusals.not_found(request, Message, "no such message in this mailbox", pk=pk)
    mailbox.mark_read(message)
    can_reply = mailbox.reply_handler_for(message) is not None
    error = ""
    text = ""
    if request.method == "POST":
        text = request.POST.get("body", "")
        try:
            reply = mailbox.send_reply(message, text)
        except mailbox.ReplyRefused as refused:
            error = str(refused)
        else:
            messages.success(request, _("Your answer has been sent."))
            return redirect("accounts:message", reply.pk)
    context = {"message": message, "can_reply": can_reply, "error": error, "text": text,
               "replies": message.replies.order_by("sent_at")}  # fmt: skip
    return render(request, "accounts/message.html", context, status=422 if error else 200)


@never_cache
@require_safe
@account_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    found = (
        MessageAttachment.objects.filter(
            pk=attachment_pk, message_id=pk, message__account__user_id=request.user.pk or 0
        )
        .select_related("message", "file")
        .first()
    )
    if found is None:
        raise refusals.not_found(
            request, MessageAttachment, "no such attachment", pk=attachment_pk, message_id=pk
        )
    return files.response(found.file, filename=found.filename, content_type="application/pdf")

"""The worker task that e-mails a notice to its subscribers (ADR 0021: it runs after the commit
that queued it, may run twice, and a ``Delivery`` row per notice and subscription makes the
second run send nothing)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_tasks import task


@task()
def mail_notice(notice_id: int) -> int:
    """E-mail the notice to each confirmed subscriber of its category that has not got it."""
    from rathaus.noticeboard import subscriptions

    return subscriptions.deliver(notice_id)


def describe(args: list[Any], kwargs: dict[str, Any]) -> str:
    """How staff read a set-aside task of this type."""
    from rathaus.noticeboard.models import Notice

    notice_id = args[0] if args else kwargs.get("notice_id", 0)
    title = Notice.objects.filter(pk=notice_id).values_list("title", flat=True).first()
    return _("E-mail the official notice “%(title)s” to its subscribers") % {
        "title": title or notice_id
    }

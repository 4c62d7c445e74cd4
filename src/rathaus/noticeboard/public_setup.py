"""The public side of the notice board, set up once from ``NoticeboardConfig.ready()``: the
navigation entry "Bekanntmachungen", the e-mails to subscribers when a notice is put up (an
event subscriber that queues a task, and a reconciliation for the case that the task was never
queued) and the daily deletion of subscriptions nobody confirmed."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from rathaus.core.taskqueue import Window
    from rathaus.noticeboard.events import NoticePutUp


def ready() -> None:
    from rathaus.core import events, housekeeping, navigation, taskqueue
    from rathaus.noticeboard import subscription_tasks, subscriptions
    from rathaus.noticeboard.events import NoticePutUp

    navigation.register(
        navigation.NavItem("noticeboard", _("Official notices"), "noticeboard:list", 66)
    )
    events.subscribe(NoticePutUp, on_notice_put_up, dispatch_uid="noticeboard.subscriptions")
    housekeeping.register(
        "noticeboard.unconfirmed_subscriptions", subscriptions.remove_unconfirmed,
        timedelta(days=1),
    )  # fmt: skip
    taskqueue.register_reconciler("noticeboard.subscriptions", reconcile)
    taskqueue.register_description(
        subscription_tasks.mail_notice.module_path, subscription_tasks.describe
    )


def on_notice_put_up(event: NoticePutUp) -> None:
    """Queue the e-mails to the subscribers of the notice's category (after the commit)."""
    from rathaus.noticeboard import subscription_tasks

    subscription_tasks.mail_notice.enqueue(event.notice_id)


def reconcile(window: Window) -> int:
    """Queue the e-mails of notices put up in the window whose subscribers are still due one and
    that have no task (the process died between the commit and queueing it)."""
    from rathaus.core import taskqueue
    from rathaus.noticeboard import subscription_tasks, subscriptions
    from rathaus.noticeboard.models import Notice

    tracked = taskqueue.tracked_arguments(subscription_tasks.mail_notice.module_path)
    notices = Notice.objects.filter(
        status=Notice.Status.ON_DISPLAY,
        put_up_at__gt=window.newer_than,
        put_up_at__lte=window.older_than,
    )
    queued = 0
    for notice in notices:
        if str(notice.pk) in tracked or not subscriptions.due(notice).exists():
            continue
        subscription_tasks.mail_notice.enqueue(notice.pk)
        queued += 1
    return queued

"""Official notices by e-mail, per category, with double opt-in (as the alerts of
:mod:`rathaus.opendata.subscriptions`).

``subscribe`` records one ``Subscription`` per chosen category (unconfirmed, or kept confirmed)
and sends one e-mail with one link; the link's random token is not kept: each row keeps the
SHA-256 of token and category, so one link confirms the categories chosen together and a
stolen database confirms nothing. ``confirm`` takes the token within :data:`CONFIRM_DAYS`.
Every e-mail carries an unsubscribe link signed with the secret key, which ends that
subscription or, if the reader asks, every subscription of the address.

Nobody learns from the pages whether an address is subscribed: the form always answers the same.
Against mail bombing: at most :data:`MAILS_PER_ADDRESS_PER_HOUR` confirmation e-mail per
address and hour, the form itself is limited per client address
(:data:`FORMS_PER_CLIENT_PER_HOUR`, in the view), and subscriptions not confirmed within
:data:`CONFIRM_DAYS` are deleted (:func:`remove_unconfirmed`, daily housekeeping; the privacy
notice promises it).

Sending: :class:`~rathaus.noticeboard.events.NoticePutUp` queues the task
``subscription_tasks.mail_notice``, which calls :func:`deliver`: one e-mail to each subscription
of the notice's authority and category confirmed before the notice was put up, each with a
``Delivery`` row written in the same transaction as the e-mail (unique per notice and
subscription), so a task that runs twice sends nothing twice.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from rathaus.core import mail, ratelimit
from rathaus.core.models import Authority
from rathaus.core.tenancy import portal_url
from rathaus.noticeboard import public
from rathaus.noticeboard.models import Category, Delivery, Notice, Subscription

CONFIRM_DAYS = 7
MAILS_PER_ADDRESS_PER_HOUR = 1
FORMS_PER_CLIENT_PER_HOUR = 10
UNSUBSCRIBE_SALT = "rathaus.noticeboard.unsubscribe"

logger = logging.getLogger(__name__)


def _hash(token: str, category: str) -> str:
    return hashlib.sha256(f"{token}:{category}".encode()).hexdigest()


def _link(authority: Authority, path: str, site: str = "") -> str:
    return site.rstrip("/") + path if site else portal_url(authority, path)


def subscribe(email: str, categories: list[str], authority: Authority, site: str = "") -> None:
    """Record the wish for each category and send the confirmation link (on ``site``, the
    address the form was sent to, else on the authority's portal). Nothing happens when the
    address had its confirmation e-mail within the hour."""
    email = email.strip().lower()
    categories = [value for value in Category.values if value in categories]
    if not categories:
        return
    # The counter's key holds a hash, not the address: rate counters are no address book.
    address_key = hashlib.sha256(email.encode()).hexdigest()
    if ratelimit.hit(
        f"noticeboard-confirm:{address_key}", MAILS_PER_ADDRESS_PER_HOUR,
        datetime.timedelta(hours=1),
    ):  # fmt: skip
        logger.info("Notice subscription: confirmation e-mail held back (one per address/hour)")
        return
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        rows = []
        for category in categories:
            row, created = Subscription.objects.select_for_update().get_or_create(
                authority=authority, email=email, category=category,
                defaults={"token": _hash(token, category)},
            )  # fmt: skip
            if not created:
                row.token = _hash(token, category)
                row.save(update_fields=["token"])
                if row.confirmed_at is None:  # the seven days start again
                    Subscription.objects.filter(pk=row.pk).update(created_at=now)
            rows.append(row)
        mail.send_mail(
            to=email,
            subject=str(_("Please confirm: official notices by e-mail")),
            template="noticeboard/mail/confirm",
            context={
                "link": _link(authority, reverse("noticeboard:confirm", args=[token]), site),
                "categories": [public.category_label(value) for value in categories],
                "days": CONFIRM_DAYS,
                "unsubscribe": _link(authority, unsubscribe_path(rows[0]), site),
            },
            authority=authority,
        )


def confirm(token: str) -> list[Subscription]:
    """The subscriptions the link confirms (confirmed before or now); empty when the link is
    unknown or too old."""
    oldest = timezone.now() - datetime.timedelta(days=CONFIRM_DAYS)
    hashes = [_hash(token, category) for category in Category.values]
    confirmed = []
    with transaction.atomic():
        for row in Subscription.objects.select_for_update().filter(token__in=hashes):
            if row.confirmed_at is None:
                if row.created_at < oldest:
                    continue
                row.confirmed_at = timezone.now()
                row.save(update_fields=["confirmed_at"])
            confirmed.append(row)
    return sorted(confirmed, key=lambda row: Category.values.index(row.category))


def remove_unconfirmed(now: datetime.datetime | None = None) -> int:
    """Delete subscriptions not confirmed within :data:`CONFIRM_DAYS` (daily housekeeping)."""
    oldest = (now or timezone.now()) - datetime.timedelta(days=CONFIRM_DAYS)
    deleted, _details = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=oldest
    ).delete()
    return deleted


def unsubscribe_path(subscription: Subscription) -> str:
    code = signing.dumps(
        [subscription.pk, subscription.authority_id, subscription.email], salt=UNSUBSCRIBE_SALT
    )
    return reverse("noticeboard:unsubscribe", args=[code])


def unsubscribe(code: str, *, everything: bool = False) -> bool:
    """End the subscription the signed code names (with ``everything``: every subscription of
    its address on its portal); False if the code is not valid. Ending one twice is no error."""
    try:
        pk, authority_id, email = signing.loads(code, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return False
    found = Subscription.objects.filter(authority_id=authority_id, email=email)
    if not everything:
        found = found.filter(pk=pk)
    found.delete()
    return True


def category_of(code: str) -> str:
    """The category the unsubscribe code names, in words ("" if unknown or ended)."""
    try:
        pk, _authority_id, email = signing.loads(code, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return ""
    row = Subscription.objects.filter(pk=pk, email=email).values_list("category", flat=True)
    value = row.first()
    return public.category_label(value) if value else ""


# --- sending -----------------------------------------------------------------------------------


def due(notice: Notice) -> QuerySet[Subscription]:
    """The subscriptions that are to get this notice and have not got it."""
    put_up = notice.put_up_at or timezone.now()
    delivered = Delivery.objects.filter(notice=notice, subscription=OuterRef("pk"))
    return Subscription.objects.filter(
        authority_id=notice.authority_id,
        category=notice.category,
        confirmed_at__isnull=False,
        confirmed_at__lte=put_up,
    ).exclude(Exists(delivered))


def deliver(notice_id: int) -> int:
    """E-mail the notice to each subscription it is due to; returns how many were sent. Only a
    notice still on display is sent (one withdrawn meanwhile is not)."""
    notice = Notice.objects.select_related("authority").filter(pk=notice_id).first()
    if notice is None or notice.status != Notice.Status.ON_DISPLAY:
        return 0
    authority = notice.authority
    page = portal_url(authority, reverse("noticeboard:notice", args=[notice.uid]))
    subject = _("New official notice: %(title)s")
    context = {
        "notice": notice,
        "category": public.category_label(notice.category),
        "period": public.period_in_words(notice),
        "page": page,
    }
    sent = 0
    for subscription in list(due(notice).order_by("pk")):
        try:
            with transaction.atomic():
                Delivery.objects.create(notice=notice, subscription=subscription)
                mail.send_mail(
                    to=subscription.email,
                    subject=str(subject) % {"title": Truncator(notice.title).chars(200)},
                    template="noticeboard/mail/notice",
                    context={
                        **context,
                        "unsubscribe": portal_url(authority, unsubscribe_path(subscription)),
                    },
                    authority=authority,
                )
        except IntegrityError:
            # sent by another run of the task, or the subscription ended meanwhile
            continue
        sent += 1
    return sent

"""E-mail alerts by topic with double opt-in (ADR 0061).

``subscribe`` records the address unconfirmed and sends a link with a random token (only its
hash is kept); ``confirm`` takes the token within :data:`CONFIRM_DAYS`. Every alert e-mail carries
an unsubscribe link signed with the secret key (no token kept in clear), which ``unsubscribe``
takes. A new subscription for an address and topic already subscribed sends a fresh confirmation
link and says nothing about whether the address was known.

Against mail bombing: at most :data:`MAILS_PER_ADDRESS_PER_HOUR` confirmation e-mail per address
and hour (further wishes change nothing and send nothing, the page says the same), the form
itself is limited per client address in the view, and unconfirmed subscriptions are deleted
after :data:`CONFIRM_DAYS` (:func:`remove_unconfirmed`, housekeeping; the privacy notice says so).

A subscription belongs to the portal it was made on (its authority; none: subscriptions from
before portals were told apart, which get every portal's alerts). It gets alerts of Things of
that authority and of Things shown on every portal.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core import mail, ratelimit
from rathaus.core.models import Authority
from rathaus.core.tenancy import portal_url
from rathaus.opendata.models import Alert, AlertSubscription, Topic

CONFIRM_DAYS = 7
MAILS_PER_ADDRESS_PER_HOUR = 1

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "rathaus.opendata.unsubscribe"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def subscribe(email: str, topic: str, authority: Authority | None, site: str = "") -> None:
    """Record the wish (unconfirmed, or keep it confirmed) and send the confirmation link: on
    ``site`` (the address the form was sent to, as the accounts' confirmation mails do), else
    on the authority's portal. Nothing happens when the address had its confirmation e-mail
    within the hour."""
    email = email.strip().lower()
    # The counter's key holds a hash, not the address: rate counters are no address book.
    if ratelimit.hit(
        f"opendata-confirm:{token_hash(email)}",
        MAILS_PER_ADDRESS_PER_HOUR,
        datetime.timedelta(hours=1),
    ):
        logger.info("Alert subscription: confirmation e-mail held back (one per address/hour)")
        return
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        subscription, created = AlertSubscription.objects.select_for_update().get_or_create(
            email=email,
            topic=topic,
            authority=authority,
            defaults={"token_hash": token_hash(token), "created_at": now},
        )
        if not created:
            subscription.token_hash = token_hash(token)
            subscription.created_at = now
            subscription.save(update_fields=["token_hash", "created_at"])
        path = reverse("opendata:confirm", args=[token])
        link = site.rstrip("/") + path if site else portal_url(authority, path)
        mail.send_mail(
            to=subscription.email,
            subject=str(_("Please confirm your alert subscription")),
            template="opendata/mail/confirm",
            context={
                "link": link,
                "topic": Topic(topic).label if topic else "",
                "days": CONFIRM_DAYS,
            },
            authority=authority,
        )


def confirm(token: str) -> AlertSubscription | None:
    """The subscription the token confirms, or None when the link is unknown or too old."""
    oldest = timezone.now() - datetime.timedelta(days=CONFIRM_DAYS)
    with transaction.atomic():
        subscription = (
            AlertSubscription.objects.select_for_update()
            .filter(token_hash=token_hash(token))
            .first()
        )
        if subscription is None:
            return None
        if subscription.confirmed_at is None:
            if subscription.created_at < oldest:
                return None
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
    return subscription


def remove_unconfirmed(now: datetime.datetime | None = None) -> int:
    """Delete subscriptions not confirmed within :data:`CONFIRM_DAYS` (housekeeping)."""
    oldest = (now or timezone.now()) - datetime.timedelta(days=CONFIRM_DAYS)
    deleted, _details = AlertSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=oldest
    ).delete()
    return deleted


def unsubscribe_code(subscription: AlertSubscription) -> str:
    return signing.dumps([subscription.pk, subscription.email], salt=UNSUBSCRIBE_SALT)


def unsubscribe(code: str) -> bool:
    """Delete the subscription the signed code names; False if the code is not valid."""
    try:
        pk, email = signing.loads(code, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return False
    AlertSubscription.objects.filter(pk=pk, email=email).delete()
    return True


def notify(alert: Alert, *, raised: bool) -> int:
    """Queue an e-mail about ``alert`` to each confirmed subscriber of its topic (or of all
    topics) on its Thing's portal (all portals for a Thing without authority); runs in the
    caller's transaction. Returns how many were queued."""
    threshold = alert.threshold
    datastream = threshold.datastream
    thing = datastream.thing
    authority = thing.authority
    recipients = AlertSubscription.objects.filter(
        confirmed_at__isnull=False, topic__in=[datastream.topic, ""]
    )
    if authority is not None:
        recipients = recipients.filter(Q(authority=authority) | Q(authority__isnull=True))
    unit = (datastream.unit_of_measurement or {}).get("symbol", "")
    subject = _("Alert: %(station)s beyond the limit") if raised else _("All clear: %(station)s")
    count = 0
    for subscription in recipients.order_by("pk"):
        link = portal_url(
            authority, reverse("opendata:unsubscribe", args=[unsubscribe_code(subscription)])
        )
        page = portal_url(authority, reverse("opendata:overview"))
        mail.send_mail(
            to=subscription.email,
            subject=str(subject) % {"station": thing.name},
            template="opendata/mail/alert",
            context={
                "raised": raised,
                "alert": alert,
                "threshold": threshold,
                "datastream": datastream,
                "thing": thing,
                "unit": unit,
                "unsubscribe": link,
                "page": page,
            },
            authority=authority,
        )
        count += 1
    return count

"""Support requests and the school login of teachers (ADR 0073): inviting a teacher, the
single-use invitation link, reporting a problem and working a request. The only writers of
:class:`Teacher`, :class:`SupportRequest` and :class:`RequestEvent`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.core.files import JPEG, PNG, UploadRules, check_upload, release, store_checked
from rathaus.core.mail import send_mail
from rathaus.core.tenancy import portal_url
from rathaus.schools.models import (
    Device,
    Loan,
    RequestEvent,
    Room,
    School,
    SupportRequest,
    Teacher,
)

PHOTO_RULES = UploadRules(accept=(JPEG, PNG), max_bytes=10 * 1024 * 1024)
Status = SupportRequest.Status


class Refused(Exception):
    """A change the data does not allow; the message is German and meant for the person."""


class InvitationTokens(PasswordResetTokenGenerator):
    """Invitation links: signed, expiring after PASSWORD_RESET_TIMEOUT, and single-use — the
    hash covers the password, which the teacher sets with the link."""

    key_salt = "rathaus.schools.teacher-invitation"


invitations = InvitationTokens()


def invitation_path(user: Any) -> str:
    return reverse(
        "schools_teacher:invitation",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), invitations.make_token(user)],
    )


def invite(school: School, *, name: str, email: str, actor: Any) -> Teacher:
    """Make the school login of a teacher (without a usable password) and send the link.

    Inviting a teacher of this school again is how a lost password is replaced: the old
    password stops working and the new link sets another."""
    users = get_user_model()
    email = email.strip().lower()
    with transaction.atomic():
        user = users.objects.select_for_update().filter(username__iexact=email).first()
        if user is not None:
            found = Teacher.objects.filter(user=user, school=school).first()
            if found is None or user.is_staff:
                raise Refused(_("There is a login with this e-mail address already."))
            teacher = found
            user.set_unusable_password()
            user.save(update_fields=["password"])
            action = "schools.teacher.reinvited"
        else:
            user = users.objects.create_user(
                username=email, email=email, password=None, first_name=name[:150]
            )
            teacher = Teacher.objects.create(user=user, school=school, name=name, invited_by=actor)
            action = "schools.teacher.invited"
        audit.record(action, actor=actor, authority=school.authority, obj=teacher)
        send_mail(
            to=email,
            subject=_("Your school login for IT support"),
            template="schools/email/invitation",
            context={
                "teacher": teacher,
                "school": school,
                "link": portal_url(school.authority, invitation_path(user)),
            },
            authority=school.authority,
        )
    return teacher


def accept(user: Any, password: str) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        teacher = Teacher.objects.select_related("school__authority").get(user=user)
        audit.record(
            "schools.teacher.accepted", actor=user, authority=teacher.school.authority, obj=teacher
        )


def report(
    teacher: Teacher,
    *,
    text: str,
    device: Device | None,
    room: Room | None,
) -> SupportRequest:
    """A teacher's request, committed before any photo is sent (:func:`add_photo`): a photo
    that is refused, even one the installation's upload limit stops before any view, never
    costs the text."""
    with transaction.atomic():
        found = SupportRequest.objects.create(
            school=teacher.school,
            device=device,
            room=room,
            teacher=teacher,
            reporter=teacher.name,
            text=text,
        )
        RequestEvent.objects.create(
            request=found, status=found.status, priority=found.priority, author=teacher.name
        )
        audit.record(
            "schools.request.reported",
            actor=teacher.user,
            authority=teacher.school.authority,
            obj=found,
        )
    return found


def add_photo(found: SupportRequest, photo: UploadedFile, teacher: Teacher) -> None:
    """Check the photo (:class:`UploadRejected` leaves nothing behind) and keep it."""
    checked = check_upload(photo, PHOTO_RULES)
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=found.pk)
        locked.photo = store_checked(checked)
        locked.save(update_fields=["photo"])
        audit.record(
            "schools.request.photo",
            actor=teacher.user,
            authority=teacher.school.authority,
            obj=locked,
        )


def work(found: SupportRequest, *, status: str, priority: str, note: str, actor: Any) -> None:
    """A new status, priority or note. The first answer by staff counts as the response."""
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=found.pk)
        if locked.status == Status.DONE and status == Status.DONE and not note:
            raise Refused(_("The request is done already."))
        now = timezone.now()
        if locked.responded_at is None:
            locked.responded_at = now
        locked.status, locked.priority = status, priority
        locked.closed_at = now if status == Status.DONE else None
        locked.save(update_fields=["status", "priority", "responded_at", "closed_at"])
        author = actor.get_full_name() or actor.get_username()
        RequestEvent.objects.create(
            request=locked, status=status, priority=priority, note=note, author=author
        )
        audit.record(
            "schools.request.worked",
            actor=actor,
            authority=locked.school.authority,
            obj=locked,
            details={"status": status, "priority": priority},
        )


REQUEST_RETENTION = timedelta(days=2 * 365)
LOAN_RETENTION = timedelta(days=365)


def delete_old(now: datetime | None = None) -> int:
    """Delete what the privacy notice promises to delete (daily): requests done two years ago
    with their photos, and loans returned a year ago."""
    now = now or timezone.now()
    with transaction.atomic():
        old = SupportRequest.objects.filter(
            status=Status.DONE, closed_at__lt=now - REQUEST_RETENTION
        )
        photos = list(old.exclude(photo=None).values_list("photo_id", flat=True))
        requests, _details = old.delete()
        release(photos)
        loans, _details = Loan.objects.filter(returned_at__lt=now - LOAN_RETENTION).delete()
    return requests + loans

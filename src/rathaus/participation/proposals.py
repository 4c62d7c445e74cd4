"""Proposals and comments: the rules and the only writers (docs/participation.md, ADR 0070).

Citizens submit proposals while the process is published and today lies in its proposals
phase; they support and comment on them in the proposals or the discussion phase. Who may do
it is the process's eligibility rule (:func:`rathaus.participation.eligibility.refusal`); a
proposal, a support or a comment always needs an account (it belongs to someone, and a support
counts once per account: unique constraint ``participation_support_once``).

Staff hide a proposal or a comment with a reason, show it again, write the official answer,
link the construction project or council paper, and close abuse reports; each of these is
audited (``participation.proposal.*``). Citizens' own contributions are not audited, like
survey answers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.construction import project_pictures
from rathaus.construction.models import Project
from rathaus.core import audit, files
from rathaus.core.files import JPEG, PNG, WEBP, UploadRules, check_upload
from rathaus.participation.models import (
    AbuseReport,
    Comment,
    OfficialAnswer,
    Phase,
    Process,
    Proposal,
    Support,
)

PICTURE_MAX_BYTES = 10 * 1024 * 1024
# The municipality of Barleben (Barleben, Ebendorf, Meitzendorf) with a small margin:
# west, south, east, north in WGS 84. A place outside is refused.
AREA = (11.50, 52.15, 11.72, 52.27)


class NotOpen(Exception):
    """The process takes no proposals, supports or comments now."""


def phase_of(process: Process, *kinds: str, today: dt.date | None = None) -> Phase | None:
    """The phase of one of ``kinds`` that runs today, while the process is published."""
    if process.state != Process.State.PUBLISHED:
        return None
    today = today or timezone.localdate()
    return process.phases.filter(kind__in=kinds, starts_on__lte=today, ends_on__gte=today).first()


def takes_proposals(process: Process) -> bool:
    return phase_of(process, Phase.Kind.PROPOSALS) is not None


def takes_reactions(process: Process) -> bool:
    """Whether supports and comments are possible now (proposals or discussion phase)."""
    return phase_of(process, Phase.Kind.PROPOSALS, Phase.Kind.DISCUSSION) is not None


def has_proposals(process: Process) -> bool:
    """Whether the process has a proposals phase (its page links to the proposals)."""
    return process.phases.filter(kind=Phase.Kind.PROPOSALS).exists()


def published(process: Process) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(process=process, state=Proposal.State.PUBLISHED)
        .select_related("official_answer")
        .annotate(support_count=Count("supports", distinct=True))
    )


def listed(process: Process, order: str = "", answered: str = "") -> QuerySet[Proposal]:
    """The published proposals, newest first or (``order="unterstuetzt"``) most supported."""
    found = published(process).annotate(
        comment_count=Count("comments", filter=Q(comments__hidden=False), distinct=True)
    )
    if answered == "ja":
        found = found.filter(official_answer__isnull=False)
    elif answered == "nein":
        found = found.filter(official_answer__isnull=True)
    if order == "unterstuetzt":
        return found.order_by("-support_count", "-created_at", "-id")
    return found.order_by("-created_at", "-id")


# --- checks of input ---------------------------------------------------------------------------


def place_error(latitude: Decimal | None, longitude: Decimal | None) -> str:
    """Why a place cannot be used ("" when it can, or when none is given)."""
    if latitude is None and longitude is None:
        return ""
    if latitude is None or longitude is None:
        return _("Please give both latitude and longitude, or neither.")
    west, south, east, north = AREA
    if south <= float(longitude) <= north and west <= float(latitude) <= east:
        return _("Latitude and longitude seem to be swapped: the latitude comes first, for "
                 "example 52.2011, 11.6203.")  # fmt: skip
    if not (south <= float(latitude) <= north and west <= float(longitude) <= east):
        return _("The place is outside the municipality. Please choose a place in Barleben, "
                 "Ebendorf or Meitzendorf.")  # fmt: skip
    return ""


def picture_rules() -> UploadRules:
    return UploadRules(accept=(JPEG, PNG, WEBP), max_bytes=files.file_limit(PICTURE_MAX_BYTES))


def store_picture(uploaded: Any) -> project_pictures.StoredPicture:
    """Check a picture with the upload checks (at most 10 MB, JPEG, PNG or WebP), then store it
    without its metadata and with a display version, as construction projects do; raises
    :class:`UploadRejected` with a message for the citizen."""
    check_upload(uploaded, picture_rules()).discard()
    return project_pictures.store_picture(uploaded)


def council_paper_error(path: str) -> str:
    """Why ``path`` is not the address of a council paper on this site ("" when it is)."""
    if not path:
        return ""
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is None or match.view_name != "council:paper":
        return _("Please give the address of a council paper on this site, for example "
                 "/rat/vorlagen/12/.")  # fmt: skip
    return ""


# --- citizens ----------------------------------------------------------------------------------


def submit(
    process: Process,
    user: Any,
    *,
    title: str,
    text: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Proposal:
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        if not takes_proposals(locked):
            raise NotOpen
        return Proposal.objects.create(process=locked, author=user, title=title, text=text,
                                       latitude=latitude, longitude=longitude)  # fmt: skip


def add_picture(proposal: Proposal, uploaded: Any, alt: str) -> None:
    """Store the author's picture (raises :class:`UploadRejected`); replaces an earlier one."""
    stored = store_picture(uploaded)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        old = [locked.picture_id, locked.picture_display_id]
        locked.picture, locked.picture_display = stored.file, stored.display
        locked.picture_alt = alt
        locked.save(update_fields=["picture", "picture_display", "picture_alt"])
        files.release(old)
    proposal.refresh_from_db()


def support(proposal: Proposal, user: Any) -> bool:
    """Support ``proposal``; False when this account supports it already (the database's
    unique constraint decides, also for two requests at the same moment)."""
    if not takes_reactions(proposal.process):
        raise NotOpen
    try:
        with transaction.atomic():
            Support.objects.create(proposal=proposal, user=user)
    except IntegrityError:
        return False
    return True


def withdraw_support(proposal: Proposal, user: Any) -> bool:
    if not takes_reactions(proposal.process):
        raise NotOpen
    deleted, _details = Support.objects.filter(proposal=proposal, user=user).delete()
    return bool(deleted)


def comment(proposal: Proposal, user: Any, text: str) -> Comment:
    if not takes_reactions(proposal.process):
        raise NotOpen
    return Comment.objects.create(proposal=proposal, author=user, text=text)


def report(proposal: Proposal, user: Any, reason: str, comment: Comment | None = None) -> None:
    AbuseReport.objects.create(proposal=proposal, comment=comment, reporter=user, reason=reason)


# --- staff ---------------------------------------------------------------------------------------


def _audit(action: str, actor: Any, proposal: Proposal, **details: Any) -> None:
    audit.record(action, actor=actor, authority=proposal.process.authority, obj=proposal,
                 details=details)  # fmt: skip


def set_visible(proposal: Proposal, actor: Any, *, visible: bool, reason: str = "") -> None:
    """Hide (with a reason) or show a proposal; closes its open reports about it."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        locked.state = Proposal.State.PUBLISHED if visible else Proposal.State.HIDDEN
        locked.hidden_reason = "" if visible else reason
        locked.save(update_fields=["state", "hidden_reason"])
        if not visible:
            locked.reports.filter(comment__isnull=True, closed_at__isnull=True).update(
                closed_at=timezone.now()
            )
        _audit("participation.proposal.shown" if visible else "participation.proposal.hidden",
               actor, locked, reason=reason)  # fmt: skip


def set_comment_visible(comment: Comment, actor: Any, *, visible: bool, reason: str = "") -> None:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        locked.hidden = not visible
        locked.hidden_reason = "" if visible else reason
        locked.save(update_fields=["hidden", "hidden_reason"])
        if not visible:
            locked.reports.filter(closed_at__isnull=True).update(closed_at=timezone.now())
        _audit("participation.comment.shown" if visible else "participation.comment.hidden",
               actor, comment.proposal, comment=comment.pk, reason=reason)  # fmt: skip


def close_report(found: AbuseReport, actor: Any) -> None:
    with transaction.atomic():
        AbuseReport.objects.filter(pk=found.pk).update(closed_at=timezone.now())
        _audit("participation.report.closed", actor, found.proposal, report=found.pk)


def answer(proposal: Proposal, actor: Any, text: str) -> OfficialAnswer:
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)
        found, created = OfficialAnswer.objects.update_or_create(
            proposal=proposal,
            defaults={"text": text, "author": actor, "answered_on": timezone.localdate()},
        )
        _audit("participation.proposal.answered", actor, proposal, new=created)
    return found


def set_links(proposal: Proposal, actor: Any, *, project: Project | None, paper_path: str,
              paper_label: str) -> None:  # fmt: skip
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        locked.construction_project = project
        locked.council_paper_path = paper_path
        locked.council_paper_label = paper_label if paper_path else ""
        locked.save(update_fields=["construction_project", "council_paper_path",
                                   "council_paper_label"])  # fmt: skip
        _audit("participation.proposal.linked", actor, locked,
               project=project.pk if project else None, paper=paper_path)  # fmt: skip


# --- privacy -------------------------------------------------------------------------------------


def export(account: Any) -> dict[str, Any]:
    """The account's proposals, comments, supports and reports for the GDPR data copy."""
    user = account.user
    proposals = Proposal.objects.filter(author=user).select_related("process")
    comments = Comment.objects.filter(author=user).select_related("proposal")
    supports = Support.objects.filter(user=user).select_related("proposal")
    reports = AbuseReport.objects.filter(reporter=user).select_related("proposal")
    return {
        "proposals": [
            {"process": item.process.title, "title": item.title, "text": item.text,
             "latitude": str(item.latitude) if item.latitude is not None else None,
             "longitude": str(item.longitude) if item.longitude is not None else None,
             "has_picture": item.picture_id is not None, "state": item.state,
             "created_at": item.created_at.isoformat()}
            for item in proposals
        ],
        "comments": [
            {"proposal": item.proposal.title, "text": item.text,
             "created_at": item.created_at.isoformat()}
            for item in comments
        ],
        "supports": [
            {"proposal": item.proposal.title, "created_at": item.created_at.isoformat()}
            for item in supports
        ],
        "reports": [
            {"proposal": item.proposal.title, "reason": item.reason,
             "created_at": item.created_at.isoformat()}
            for item in reports
        ],
    }  # fmt: skip


def release_pictures_of(user: Any) -> None:
    """Before an account goes: its proposals go with it (cascade), their pictures here."""
    stored = [
        key
        for pair in Proposal.objects.filter(author=user).values_list("picture", "picture_display")
        for key in pair
        if key
    ]
    if stored:
        transaction.on_commit(lambda: files.release(stored))

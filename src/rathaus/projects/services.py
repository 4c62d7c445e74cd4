"""The only writers of projects and their funding (ADR 0072). Every change is audited
(``projects.*``) in the chain of the project's authority. Domain rules that the database
enforces too (own share at most 100 %, a funding period in order) are checked here first, so
the answer is a clear message and not an integrity error; an extension must end after the
funding period as it stands, which only a locked read of the grant can tell."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.core.mail import send_mail
from rathaus.core.models import Authority
from rathaus.projects.models import (
    Extension,
    Grant,
    Milestone,
    PaperLink,
    Payment,
    Programme,
    Project,
    ReportDeadline,
    Risk,
)

logger = logging.getLogger("rathaus.projects")
REMINDER_DAYS = 30
"""A report deadline is e-mailed to the responsible person this many days before it is due."""
PROJECT_FIELDS = (
    "title",
    "goal",
    "unit",
    "responsible",
    "partners",
    "status",
    "status_note",
    "public",
    "position",
)


def _record(action: str, project: Project, user: Any, obj: Any, **details: Any) -> None:
    audit.record(
        action,
        actor=user,
        authority=project.authority,
        obj=obj,
        details={key: str(value) for key, value in details.items()},
    )


def save_project(
    authority: Authority, data: dict[str, Any], user: Any, project: Project | None = None
) -> Project:
    values = {name: data[name] for name in PROJECT_FIELDS if name in data}
    if values.get("unit") is not None and values["unit"].authority_id != authority.pk:
        raise ValidationError({"unit": _("The unit belongs to another authority.")})
    title = values.get("title")
    same = Project.objects.filter(authority=authority, title=title)
    if project is not None:
        same = same.exclude(pk=project.pk)
    if title and same.exists():
        raise ValidationError({"title": _("A project of this title exists already.")})
    with transaction.atomic():
        if project is None:
            project = Project.objects.create(authority=authority, **values)
            _record("projects.created", project, user, project, title=project.title)
            return project
        locked = Project.objects.select_for_update().get(pk=project.pk)
        changed = {name: value for name, value in values.items() if getattr(locked, name) != value}
        for name, value in changed.items():
            setattr(locked, name, value)
        if changed:
            locked.save()
            _record("projects.changed", locked, user, locked, fields=", ".join(sorted(changed)))
        return locked


def add_milestone(project: Project, data: dict[str, Any], user: Any) -> Milestone:
    with transaction.atomic():
        milestone = Milestone.objects.create(project=project, **data)
        _record("projects.milestone_added", project, user, milestone, due_on=milestone.due_on)
    return milestone


def reach_milestone(milestone: Milestone, reached_on: dt.date, user: Any) -> None:
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        locked.reached_on = reached_on
        locked.save(update_fields=["reached_on"])
        _record("projects.milestone_reached", milestone.project, user, locked, on=reached_on)


def add_risk(project: Project, data: dict[str, Any], user: Any) -> Risk:
    with transaction.atomic():
        risk = Risk.objects.create(project=project, **data)
        _record("projects.risk_added", project, user, risk, likelihood=risk.likelihood)
    return risk


def link_paper(project: Project, data: dict[str, Any], user: Any) -> PaperLink:
    """Link a council paper by its reference; the council app's paper of that reference, if
    the authority's council has one, is linked with it."""
    from rathaus.council.models import Paper

    reference = data["reference"].strip()
    if PaperLink.objects.filter(project=project, reference=reference).exists():
        raise ValidationError({"reference": _("This paper is linked already.")})
    paper = Paper.objects.filter(
        reference=reference, body__authority=project.authority, deleted=False
    ).first()
    with transaction.atomic():
        link = PaperLink.objects.create(
            project=project, reference=reference, title=data.get("title", ""), paper=paper
        )
        _record("projects.paper_linked", project, user, link, reference=reference)
    return link


def add_programme(authority: Authority, data: dict[str, Any], user: Any) -> Programme:
    if Programme.objects.filter(authority=authority, name=data["name"]).exists():
        raise ValidationError({"name": _("A programme of this name exists already.")})
    with transaction.atomic():
        programme = Programme.objects.create(authority=authority, **data)
        audit.record("projects.programme_added", actor=user, authority=authority, obj=programme)
    return programme


def check_grant(data: dict[str, Any]) -> None:
    """The rules of a grant, as messages per field."""
    errors: dict[str, str] = {}
    share = data.get("own_share_percent")
    if share is not None and not Decimal(0) <= Decimal(share) <= Decimal(100):
        errors["own_share_percent"] = _(
            "The own share is a percentage of the eligible costs: between 0 and 100 %."
        )
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        errors["period_end"] = _("The funding period ends before it starts.")
    amount, eligible = data.get("amount_cents"), data.get("eligible_cents")
    if amount is not None and eligible is not None and amount > eligible:
        errors["amount_cents"] = _("The grant is larger than the eligible costs.")
    if errors:
        raise ValidationError(errors)


def add_grant(project: Project, data: dict[str, Any], user: Any) -> Grant:
    check_grant(data)
    if data["programme"].authority_id != project.authority_id:
        raise ValidationError({"programme": _("The programme belongs to another authority.")})
    with transaction.atomic():
        grant = Grant.objects.create(project=project, **data)
        _record("projects.grant_added", project, user, grant, amount_cents=grant.amount_cents)
    return grant


def extend(grant: Grant, data: dict[str, Any], user: Any) -> Extension:
    """Add an extension of the funding period; it must end after the period as it stands."""
    with transaction.atomic():
        locked = (
            Grant.objects.select_for_update(of=("self",))
            .select_related("project__authority")
            .get(pk=grant.pk)
        )
        current = locked.end()
        if data["new_end"] <= current:
            raise ValidationError(
                {
                    "new_end": _(
                        "An extension must end after the funding period, which ends on %(end)s."
                    )
                    % {"end": date_format(current, "d.m.Y")}
                }
            )
        extension = Extension.objects.create(grant=locked, **data)
        _record("projects.extended", locked.project, user, extension, new_end=extension.new_end)
    return extension


def add_payment(grant: Grant, data: dict[str, Any], user: Any) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.create(grant=grant, **data)
        _record(
            "projects.payment_added",
            grant.project,
            user,
            payment,
            kind=payment.kind,
            amount_cents=payment.amount_cents,
        )
    return payment


def add_deadline(grant: Grant, data: dict[str, Any], user: Any) -> ReportDeadline:
    with transaction.atomic():
        deadline = ReportDeadline.objects.create(grant=grant, **data)
        _record("projects.deadline_added", grant.project, user, deadline, due_on=deadline.due_on)
    return deadline


def submit_report(deadline: ReportDeadline, submitted_on: dt.date, user: Any) -> None:
    with transaction.atomic():
        locked = ReportDeadline.objects.select_for_update().get(pk=deadline.pk)
        locked.submitted_on = submitted_on
        locked.save(update_fields=["submitted_on"])
        _record("projects.report_submitted", deadline.grant.project, user, locked, on=submitted_on)


def send_deadline_reminders(now: dt.datetime | None = None) -> int:
    """E-mail the responsible person of every report due within :data:`REMINDER_DAYS` days
    and not submitted, once: each deadline is claimed with a conditional UPDATE in the
    transaction that queues its e-mail, so two workers never send one twice. A project without
    a responsible person with an e-mail address is logged and tried again on the next run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = ReportDeadline.objects.filter(
        submitted_on__isnull=True,
        reminder_sent_at__isnull=True,
        due_on__gte=today,
        due_on__lte=today + dt.timedelta(days=REMINDER_DAYS),
    ).select_related("grant__project__authority", "grant__project__responsible", "grant__programme")
    sent = 0
    for deadline in due:
        project = deadline.grant.project
        person = project.responsible
        if person is None or not person.email:
            logger.warning(
                "report deadline %s: project %s has no responsible e-mail address",
                deadline.pk,
                project.pk,
            )
            continue
        with transaction.atomic():
            claimed = ReportDeadline.objects.filter(
                pk=deadline.pk, reminder_sent_at__isnull=True, submitted_on__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                send_mail(
                    to=person.email,
                    subject=_("Report due on %(date)s: %(project)s")
                    % {
                        "date": date_format(deadline.due_on, "d.m.Y"),
                        "project": project.title[:120],
                    },
                    template="projects/mail/deadline",
                    context={"deadline": deadline, "project": project, "person": person},
                    authority=project.authority,
                )
                sent += 1
    return sent

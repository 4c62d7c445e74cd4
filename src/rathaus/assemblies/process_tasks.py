"""The service tasks of the assembly notice's process (``data/process.bpmn``), registered by topic
in ``AssembliesConfig.ready()``.

- ``offer_cooperation_talk``: the cooperation talk of § 12 (3) VersammlG LSA as an appointment.
  The clerk asks for it in the check task; the applicant gets a message in the mailbox with the
  link to book the appointment type "Kooperationsgespräch" (slug ``kooperationsgespraech``) at a
  location of the case's unit, and the topics the clerk wants to discuss. The applicant books a
  free time in the unit's calendar like any other appointment (appointments app); staff see it in
  their day list. Without such an appointment type the step fails with a message saying what to
  set up, and the clerk runs it again once it exists.
- ``decide_assembly``: the decision letter (confirmation, confirmation with conditions, or
  prohibition) through ``cases.decisions``: the parameter ``outcome`` (granted, partly_granted,
  refused) and the text of the decision task — the conditions numbered, then the reasons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.core.service_tasks import Context, HandlerFailed

if TYPE_CHECKING:
    from rathaus.appointments.models import AppointmentType

TALK_SLUG = "kooperationsgespraech"


def talk_type(case: Any) -> AppointmentType | None:
    """The appointment type for the cooperation talk at a location of the case's unit."""
    from rathaus.appointments.models import AppointmentType

    return (
        AppointmentType.objects.select_related("location")
        .filter(slug=TALK_SLUG, location__org_unit=case.org_unit)
        .order_by("pk")
        .first()
    )


def offer_cooperation_talk(context: Context) -> None:
    from rathaus.cases import services

    case = context.case
    kind = talk_type(case)
    if kind is None:
        raise HandlerFailed(
            _(
                "The unit has no appointment type “%(slug)s” for the cooperation talk. Please "
                "create it at one of the unit's appointment locations, then run this step again."
            )
            % {"slug": TALK_SLUG}
        )
    link = context.portal_url + reverse("appointments:month", args=[kind.location.slug, kind.pk])
    topics = str(context.data.get("talk_topics") or "").strip()
    body = _(
        "Good day,\n\nabout your assembly notice %(number)s we would like to talk with you "
        "before the assembly (cooperation talk, section 12 (3) of the assembly law of "
        "Saxony-Anhalt). Please book an appointment here:\n%(link)s\n\n"
        "We would like to talk about:\n%(topics)s\n\nKind regards\n%(unit)s"
    ) % {"number": case.number, "link": link, "topics": topics or "—", "unit": case.org_unit.name}
    try:
        services.message_applicant(
            case, None, _("Invitation to a cooperation talk"), body, context.portal_url
        )
    except services.CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None


def decision_text(outcome: str, conditions: str, reasons: str) -> str:
    """What the letter prints below its outcome: the conditions numbered, then the reasons."""
    lines = [line.strip() for line in conditions.splitlines() if line.strip()]
    parts = []
    if outcome == "partly_granted" and lines:
        parts.append(_("Conditions:"))
        parts.extend(f"{number}. {line}" for number, line in enumerate(lines, start=1))
        if reasons.strip():
            parts.append(_("Reasons:"))
    if reasons.strip():
        parts.append(reasons.strip())
    return "\n".join(parts)


def decide_assembly(context: Context) -> None:
    from rathaus.cases import decisions, services

    if context.actor is None:
        raise HandlerFailed(_("A decision needs the clerk who made it; it cannot run on its own."))
    outcome = str(context.params.get("outcome") or "")
    text = decision_text(
        outcome,
        str(context.data.get("conditions") or ""),
        str(context.data.get("reasons") or ""),
    )
    try:
        decisions.decide(context.case, context.actor, outcome, text, portal_url=context.portal_url)
    except services.CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None

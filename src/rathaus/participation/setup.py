"""Set up once from ``ParticipationConfig.ready()``: the navigation entries, the demo, the
section of the GDPR data copy and the daily deletion of drafts of ended surveys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import pre_delete

    from rathaus.accounts import gdpr
    from rathaus.core import demo as core_demo
    from rathaus.core import housekeeping, navigation
    from rathaus.participation import demo, proposal_demo, proposals, services

    navigation.register(
        navigation.NavItem("participation", _("Take part"), "participation:list", 67)
    )
    navigation.register_staff(
        navigation.StaffNavItem(
            "participation", _("Participation"), "participation_staff:list", 77,
            permitted=runs_participation,
        )
    )  # fmt: skip
    housekeeping.register(
        "participation.drafts", services.remove_drafts_of_ended_surveys, timedelta(days=1)
    )
    from rathaus.participation import result_records

    housekeeping.register("participation.results", result_records.publish_due, timedelta(minutes=5))
    gdpr.register_export_section("participation", export)
    gdpr.register_export_section("participation_proposals", proposals.export)
    pre_delete.connect(_release_pictures, sender=get_user_model(),
                       dispatch_uid="participation.proposal_pictures")  # fmt: skip
    core_demo.register_loader("participation", demo.load)
    core_demo.register_loader("participation_proposals", proposal_demo.load)
    core_demo.login_notes.append(
        "Demo proposals: /mitmachen/ideen-buergerpark/vorschlaege/ (the demo citizen can submit, "
        "support and comment; staff: /verwaltung/mitmachen/vorschlaege/)."
    )
    core_demo.login_notes.append(
        "Demo citizen participation: /mitmachen/ (the survey „Bürgerbefragung Digitalisierung“ "
        f"with its results); staff of the Digitalwerkstatt: {demo.DEMO_KEEPER}, "
        "/verwaltung/mitmachen/."
    )


def _release_pictures(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An account goes: its proposals go with it, and their pictures once nothing else uses
    them."""
    from rathaus.participation import proposals

    proposals.release_pictures_of(instance)


def runs_participation(staff: object) -> bool:
    """Whether the staff entry "Beteiligung" is shown (``keepers.keeps``)."""
    from rathaus.participation import keepers

    return keepers.keeps(staff)


def export(account: Any) -> dict[str, Any]:
    """The surveys the account took part in (not its answers: they are not linked to it) and
    its unsent drafts with their answers."""
    from rathaus.participation.models import Draft, ParticipationRecord

    records = ParticipationRecord.objects.filter(user=account.user).select_related(
        "survey__phase__process"
    )
    drafts = Draft.objects.filter(user=account.user).select_related("survey")
    return {
        "taken_part": [
            {"survey": record.survey.title, "process": record.survey.phase.process.title,
             "day": record.taken_part_on.isoformat()}
            for record in records
        ],
        "drafts": [
            {"survey": draft.survey.title, "answers": draft.answers,
             "updated_at": draft.updated_at.isoformat()}
            for draft in drafts
        ],
        **competition_export(account),
    }  # fmt: skip


def competition_export(account: Any) -> dict[str, Any]:
    """The account's entries to competitions and its votes."""
    from rathaus.participation.models import Ballot, Entry

    entries = Entry.objects.filter(submitted_by=account.user).select_related("competition")
    ballots = Ballot.objects.filter(user=account.user).select_related("competition", "entry")
    return {
        "competition_entries": [
            {"competition": entry.competition.title, "title": entry.title,
             "description": entry.description, "published_name": entry.author_name,
             "consent_at": entry.consent_at.isoformat(), "state": entry.state}
            for entry in entries
        ],
        "competition_votes": [
            {"competition": ballot.competition.title, "entry": ballot.entry.title,
             "at": ballot.created_at.isoformat()}
            for ballot in ballots
        ],
    }  # fmt: skip

"""Participation API: the published results of surveys (public, no key)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from rathaus.core.problems import ProblemOut
from rathaus.core.tenancy import current_authority
from rathaus.participation import results
from rathaus.participation.models import Process, Survey

router = Router(tags=["participation"])


class SurveyRef(Schema):
    uid: uuid.UUID
    title: str
    process: str
    url: str


class RowOut(Schema):
    label: str
    count: int
    percent: int
    mean: float | None


class QuestionOut(Schema):
    text: str
    kind: str
    answered: int
    mean: float | None
    rows: list[RowOut]
    texts: list[str]


class ResultsOut(Schema):
    uid: uuid.UUID
    title: str
    process: str
    responses: int
    questions: list[QuestionOut]


def _public_surveys(request: HttpRequest) -> list[Survey]:
    surveys = Survey.objects.filter(
        phase__process__authority=current_authority(request),
        phase__process__state__in=[Process.State.PUBLISHED, Process.State.CLOSED],
    ).select_related("phase__process")
    return [survey for survey in surveys.order_by("title", "id") if results.are_public(survey)]


def _url(request: HttpRequest, survey: Survey) -> str:
    process = survey.phase.process
    return request.build_absolute_uri(f"/mitmachen/{process.slug}/umfrage/{survey.uid}/ergebnisse/")


@router.get("/surveys", response=list[SurveyRef], summary="Surveys with published results")
def survey_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The surveys of the authority of the host whose results are public: in the results phase
    of their process, or published earlier by staff."""
    return [
        {"uid": survey.uid, "title": survey.title, "process": survey.phase.process.title,
         "url": _url(request, survey)}
        for survey in _public_surveys(request)
    ]  # fmt: skip


@router.get(
    "/surveys/{uid}/results",
    response={200: ResultsOut, 404: ProblemOut},
    summary="Results of one survey",
)
def survey_results(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """The number of responses and, per question, the counts and shares of the answers (for a
    scale its mean; for a matrix the mean of each row; for a ranking each item's mean place,
    counting first places). Free texts only when staff approved them. 404 when the survey does
    not exist or its results are not public yet."""
    survey = next((found for found in _public_surveys(request) if found.uid == uid), None)
    if survey is None:
        raise HttpError(404, "No survey with public results has this uid.")
    total, found = results.compute(survey)
    return {
        "uid": survey.uid, "title": survey.title, "process": survey.phase.process.title,
        "responses": total,
        "questions": [
            {"text": item.question.text, "kind": item.kind, "answered": item.answered,
             "mean": item.mean,
             "rows": [{"label": row.label, "count": row.count, "percent": row.percent,
                       "mean": row.value} for row in item.rows],
             "texts": [answer.text for answer in item.texts]}
            for item in found
        ],
    }  # fmt: skip


class ProposalOut(Schema):
    uid: uuid.UUID
    title: str
    text: str
    created_at: str
    supports: int
    latitude: float | None
    longitude: float | None
    picture_url: str | None
    official_answer: str | None
    answered_on: str | None
    url: str


@router.get(
    "/processes/{slug}/proposals",
    response={200: list[ProposalOut], 404: ProblemOut},
    summary="Published proposals of a process",
)
def proposal_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The published proposals of a public process of the authority of the host, newest first,
    with their number of supports and the official answer; hidden proposals are left out.
    404 when the process does not exist or is not public."""
    from rathaus.participation import proposals

    process = Process.objects.filter(
        authority=current_authority(request), slug=slug[:80],
        state__in=[Process.State.PUBLISHED, Process.State.CLOSED],
    ).first()  # fmt: skip
    if process is None:
        raise HttpError(404, "No public process has this short name.")
    base = f"/mitmachen/{process.slug}/vorschlaege"
    return [
        {"uid": item.uid, "title": item.title, "text": item.text,
         "created_at": item.created_at.isoformat(), "supports": item.support_count,  # type: ignore[attr-defined]
         "latitude": float(item.latitude) if item.latitude is not None else None,
         "longitude": float(item.longitude) if item.longitude is not None else None,
         "picture_url": request.build_absolute_uri(f"{base}/{item.uid}/bild/anzeigen/")
         if item.picture_id else None,
         "official_answer": item.official_answer.text
         if hasattr(item, "official_answer") else None,
         "answered_on": item.official_answer.answered_on.isoformat()
         if hasattr(item, "official_answer") else None,
         "url": request.build_absolute_uri(f"{base}/{item.uid}/")}
        for item in proposals.listed(process)
    ]  # fmt: skip


class CompetitionRowOut(Schema):
    place: int
    entry: uuid.UUID
    title: str
    author: str
    votes: int


class CompetitionResultsOut(Schema):
    uid: uuid.UUID
    title: str
    process: str
    published_at: str
    ballots: int
    ballots_sha256: str
    ranking: list[CompetitionRowOut]


@router.get(
    "/competitions/{uid}/results",
    response={200: CompetitionResultsOut, 404: ProblemOut},
    summary="Results of one competition",
)
def competition_results(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """The ranking of a competition's vote, the number of votes and the SHA-256 over the
    sorted, pseudonymous votes (docs/participation.md says how it is built). 404 before the
    results are published (``results_at``) or when the competition does not exist."""
    from rathaus.participation import result_records
    from rathaus.participation.models import Competition

    competition = Competition.objects.filter(
        uid=uid, process__authority=current_authority(request),
        process__state__in=[Process.State.PUBLISHED, Process.State.CLOSED],
    ).select_related("process__authority").first()  # fmt: skip
    record = result_records.publish_if_due(competition) if competition else None
    if competition is None or record is None:
        raise HttpError(404, "No competition with published results has this uid.")
    entries = {str(entry.uid): entry for entry in competition.entries.all()}
    rows = sorted(record.counts.items(), key=lambda item: (-item[1], entries[item[0]].title))
    return {
        "uid": competition.uid, "title": competition.title,
        "process": competition.process.title, "published_at": record.created_at.isoformat(),
        "ballots": record.ballot_count, "ballots_sha256": record.ballots_sha256,
        "ranking": [{"place": place, "entry": entries[key].uid, "title": entries[key].title,
                     "author": entries[key].author_name, "votes": count}
                    for place, (key, count) in enumerate(rows, start=1)],
    }  # fmt: skip

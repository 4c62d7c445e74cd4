"""The staff workspace has its own frame (ADR 0028): every staff page shows the staff
navigation, who is logged in and the logout, and none shows the citizens' main navigation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from rathaus.appointments.models import Location
from rathaus.catalog.models import Offer
from rathaus.core import navigation, roles
from rathaus.forms.models import FormDefinition
from rathaus.payments.models import PaymentRequest
from rathaus.processes.models import ProcessModel, ProcessTask
from rathaus.projects.models import Project
from tests.factories import (
    DisruptionFactory,
    FeeFactory,
    FileFactory,
    MembershipFactory,
    OutgoingFactory,
    RegistrationFactory,
    SeriesFactory,
    SubmissionFactory,
    VersionFactory,
)
from tests.factories.construction import ProjectPhaseFactory, ProjectPictureFactory
from tests.factories.council import MeetingFactory as CouncilMeetingFactory
from tests.factories.council import PaperFactory as CouncilPaperFactory
from tests.factories.exchange import IncomingFactory, OwnDestinationFactory
from tests.factories.noticeboard import NoticeFactory, ScreenFactory
from tests.factories.opendata import DatasetFactory, ThresholdFactory
from tests.factories.participation import (
    CompetitionFactory,
    PhaseFactory,
    ProposalFactory,
    QuestionFactory,
)
from tests.support import log_in

STAFF_NAV = 'aria-label="Navigation der Verwaltung"'
CITIZEN_NAV = 'aria-label="Hauptnavigation"'

# Staff addresses that are no page of the frame: files, actions that only take a POST, and the
# login steps (shown before anyone is logged in; tested below).
NOT_PAGES = {
    "cases_staff:attachment": "a file download",
    "cases_staff:document": "a file download",
    "cases_staff:upload": "a file download",
    "processes_case:diagram": "the BPMN file of the diagram",
    "processes:model_xml": "the BPMN file of a model",
    "processes_case:retry": "POST only",
    "forms_staff:new_version": "POST only",
    "forms_staff:preview": "POST only, a fragment for the edit page",
    "appointments_staff:act": "POST only",
    "cases_staff:decision_preview": "POST only: the letter shown for the outcome sent with it",
    "forms_staff:code_lists": "POST only",
    "documents:xdomea_export": "POST only, a ZIP download",
    "documents:xdomea_hand_over": "POST only",
    "documents:xdomea_import": "POST only",
    "staff:logout": "POST only",
    "staff:login": "before the login",
    "staff:verify": "before the login",
    "staff:enrol": "before the login",
    "documents:version": "a file download",
    "documents:preview": "a file shown in the browser (or downloaded)",
    "documents:case_file": "a redirect to the case's file",
    "documents:decide_deletion": "POST only",
    "payments_staff:reconciliation_csv": "a CSV download",
    "catalogue_staff:publish": "POST only",
    "catalogue_staff:withdraw": "POST only",
    "construction_staff:publish": "POST only",
    "construction_staff:withdraw": "POST only",
    "construction_staff:document_add": "POST only",
    "construction_staff:document_remove": "POST only",
    "construction_projects_staff:publish": "POST only",
    "construction_projects_staff:phase_move": "POST only",
    "construction_projects_staff:phase_remove": "POST only",
    "construction_projects_staff:picture_move": "POST only",
    "construction_projects_staff:picture_remove": "POST only",
    "council_staff:agenda_add": "POST only",
    "council_staff:agenda_edit": "POST only",
    "council_staff:agenda_move": "POST only",
    "council_staff:agenda_remove": "POST only",
    "council_staff:paper_link": "POST only",
    "council_staff:paper_unlink": "POST only",
    "council_staff:meeting_file": "POST only",
    "council_staff:meeting_file_remove": "POST only",
    "council_staff:consultation_add": "POST only",
    "council_staff:consultation_remove": "POST only",
    "council_staff:paper_file": "POST only",
    "council_staff:paper_file_remove": "POST only",
    "noticeboard_staff:schedule": "POST only",
    "noticeboard_staff:unschedule": "POST only",
    "noticeboard_staff:attachment_add": "POST only",
    "noticeboard_staff:attachment_move": "POST only",
    "noticeboard_staff:attachment_remove": "POST only",
    "noticeboard_staff:proof": "a PDF download",
    "events_staff:publish": "POST only",
    "events_staff:mark": "POST only",
    "events_staff:certificate": "a PDF download",
    "events_staff:series_exception": "POST only",
    "noticeboard_staff:attachment_download": "a file download",
    "noticeboard_staff:slot_add": "POST only",
    "noticeboard_staff:slot_edit": "POST only",
    "noticeboard_staff:slot_move": "POST only",
    "noticeboard_staff:slot_remove": "POST only",
    "participation_staff:state": "POST only",
    "participation_staff:phase_remove": "POST only",
    "participation_staff:question_remove": "POST only",
    "participation_staff:publish": "POST only",
    "participation_staff:review_answer": "POST only",
    "participation_staff:csv": "a CSV download",
    "participation_staff:proposal_visibility": "POST only",
    "participation_staff:comment_visibility": "POST only",
    "participation_staff:proposal_answer": "POST only",
    "participation_staff:proposal_links": "POST only",
    "participation_staff:report_close": "POST only",
    "projects_staff:report_file": "POST only",
    "projects_staff:part": "POST only",
    "projects_staff:grant_part": "POST only",
    "projects_staff:mark": "POST only",
    "participation_staff:entry": "POST only",
    "participation_staff:entry_add": "POST only",
    "participation_staff:record_verify": "POST only",
    "participation_staff:entry_picture": "a picture",
    "schools_staff:agreement": "a PDF download",
    "schools_staff:labels": "a PDF download",
    "schools_staff:request_photo": "a file download",
}


def staff_url_names() -> set[str]:
    """Every named URL under /verwaltung/, from the URL configuration."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                yield route, namespace + entry.name

    return {name for route, name in walk(get_resolver().url_patterns, "", "") if
            route.startswith("verwaltung/")}  # fmt: skip


def world(meldung: Any) -> dict[str, Any]:
    offer = Offer.objects.filter(authority=meldung.authority, org_unit=meldung.org_unit).first()
    form = FormDefinition.objects.get(slug="meldebescheinigung")
    version = form.versions.order_by("-number").first()
    return {
        "case": meldung.number,
        "task": ProcessTask.objects.filter(case=meldung, status="open").first(),
        "location": Location.objects.filter(org_unit=meldung.org_unit).first(),
        "offer": offer,
        "form": form,
        "version": version,
        "model": ProcessModel.objects.first(),
        "document": efile_document(meldung),
        "payment": PaymentRequest.objects.filter(authority=meldung.authority).first(),
        "fee": FeeFactory(authority=meldung.authority, code="frame-test"),
        "incoming": IncomingFactory(destination=OwnDestinationFactory(org_unit=meldung.org_unit)),
        "outgoing": OutgoingFactory(submission=SubmissionFactory(authority=meldung.authority)),
        "threshold": ThresholdFactory(),
        "dataset": DatasetFactory(authority=meldung.authority),
        "site": DisruptionFactory(authority=meldung.authority),
        "project_phase": ProjectPhaseFactory(project__authority=meldung.authority),
        "project_picture": ProjectPictureFactory(project__authority=meldung.authority),
        "notice": NoticeFactory(authority=meldung.authority),
        "screen": ScreenFactory(authority=meldung.authority),
        "event": RegistrationFactory(event__authority=meldung.authority).event,
        "event_series": SeriesFactory(authority=meldung.authority),
        "meeting": CouncilMeetingFactory(body__authority=meldung.authority),
        "paper": CouncilPaperFactory(body__authority=meldung.authority),
        "digital_project": Project.objects.filter(authority=meldung.authority).first(),
        **council_world(meldung.authority),
        **participation_world(meldung.authority),
        **schools_world(),
    }


def schools_world() -> dict[str, Any]:
    """The demo's school IT: a school, a device, its loan and a support request."""
    from rathaus.schools.models import Loan, SupportRequest

    loan = Loan.objects.select_related("device__school").first()
    return {"school_loan": loan, "school_request": SupportRequest.objects.first()}


def participation_world(authority: Any) -> dict[str, Any]:
    """A process with a survey (not answered yet) and a phase without one."""
    question = QuestionFactory(survey__phase__process__authority=authority)
    process = question.survey.phase.process
    return {
        "participation_question": question,
        "participation_free_phase": PhaseFactory(process=process, kind="information"),
        "participation_proposal": ProposalFactory(process=process),
        "participation_competition": CompetitionFactory(process=process),
    }


def council_world(authority: Any) -> dict[str, Any]:
    """The council objects of the demo (persons, organisations, terms, locations)."""
    from rathaus.council import models as council

    kept = {"body__authority": authority, "deleted": False}
    return {
        "council_membership": council.Membership.objects.filter(**kept).first(),
        "council_organization": council.Organization.objects.filter(**kept).first(),
        "council_term": council.LegislativeTerm.objects.filter(**kept).first(),
        "council_location": council.Location.objects.filter(**kept).first(),
    }


def efile_document(meldung: Any) -> Any:
    """A document in a file of the case's unit; the demo administrator heads that unit too, to
    open the file's access log."""
    MembershipFactory(
        user=get_user_model().objects.get(username="digitales"), org_unit=meldung.org_unit,
        role=roles.role(roles.HEAD),
    )  # fmt: skip
    return VersionFactory(document__file=FileFactory(org_unit=meldung.org_unit)).document


PAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "staff:home": lambda w: "/verwaltung/",
    "staff:api_tokens": lambda w: "/verwaltung/konto/api-schluessel/",
    "staff:password": lambda w: "/verwaltung/konto/passwort/",
    "staff:tasks": lambda w: "/verwaltung/hintergrundaufgaben/",
    "cases_staff:inbox": lambda w: "/verwaltung/vorgaenge/",
    "cases_staff:case": lambda w: f"/verwaltung/vorgaenge/{w['case']}/",
    "processes_case:task": lambda w: f"/verwaltung/vorgaenge/{w['case']}/aufgaben/{w['task'].pk}/",
    "processes:models": lambda w: "/verwaltung/prozesse/",
    "processes:model": lambda w: f"/verwaltung/prozesse/{w['model'].slug}/",
    "appointments_staff:locations": lambda w: "/verwaltung/termine/",
    "appointments_staff:day": lambda w: f"/verwaltung/termine/{w['location'].pk}/",
    "appointments_staff:week": lambda w: f"/verwaltung/termine/{w['location'].pk}/woche/",
    "appointments_staff:blocks": lambda w: f"/verwaltung/termine/{w['location'].pk}/sperrzeiten/",
    "appointments_staff:cancel_day": (
        lambda w: f"/verwaltung/termine/{w['location'].pk}/tag-absagen/"
    ),
    "appointments_staff:statistics": lambda w: f"/verwaltung/termine/{w['location'].pk}/statistik/",
    "catalog_staff:list": lambda w: "/verwaltung/angebote/",
    "catalog_staff:add": lambda w: "/verwaltung/angebote/neu/",
    "catalog_staff:edit": lambda w: f"/verwaltung/angebote/{w['offer'].pk}/",
    "catalog_staff:withdraw": lambda w: f"/verwaltung/angebote/{w['offer'].pk}/zurueckziehen/",
    "forms_staff:list": lambda w: "/verwaltung/formulare/",
    "forms_staff:create": lambda w: "/verwaltung/formulare/neu/",
    "forms_staff:import": lambda w: "/verwaltung/formulare/importieren/",
    "forms_staff:detail": lambda w: f"/verwaltung/formulare/{w['form'].pk}/",
    "forms_staff:retire": lambda w: f"/verwaltung/formulare/{w['form'].pk}/zurueckziehen/",
    "forms_staff:version": (
        lambda w: f"/verwaltung/formulare/{w['form'].pk}/versionen/{w['version'].number}/"
    ),
    "forms_staff:publish": (
        lambda w: (
            f"/verwaltung/formulare/{w['form'].pk}/versionen/{w['version'].number}/"
            "veroeffentlichen/"
        )
    ),
    "legal_staff:list": lambda w: "/verwaltung/rechtliches/",
    "legal_staff:edit": lambda w: "/verwaltung/rechtliches/barleben/",
    "documents:files": lambda w: "/verwaltung/akten/",
    "documents:new": lambda w: "/verwaltung/akten/neu/",
    "documents:plan": lambda w: "/verwaltung/akten/plan/",
    "documents:file": lambda w: f"/verwaltung/akten/{w['document'].file_id}/",
    "documents:close": lambda w: f"/verwaltung/akten/{w['document'].file_id}/abschliessen/",
    "documents:access_log": lambda w: f"/verwaltung/akten/{w['document'].file_id}/zugriffe/",
    "documents:document": (
        lambda w: f"/verwaltung/akten/{w['document'].file_id}/dokumente/{w['document'].pk}/"
    ),
    "documents:retention": lambda w: "/verwaltung/akten/aussonderung/",
    "documents:deletion_records": lambda w: "/verwaltung/akten/aussonderung/protokoll/",
    "documents:request_deletion": (
        lambda w: f"/verwaltung/akten/aussonderung/{w['document'].file_id}/loeschen/"
    ),
    "documents:xdomea": lambda w: "/verwaltung/akten/xdomea/",
    "documents:search": lambda w: "/verwaltung/akten/suche/?q=Meldebescheinigung",
    "payments_staff:list": lambda w: "/verwaltung/zahlungen/",
    "payments_staff:detail": lambda w: f"/verwaltung/zahlungen/{w['payment'].pk}/",
    "payments_staff:reconciliation": lambda w: "/verwaltung/zahlungen/abgleich/",
    "payments_staff:fees": lambda w: "/verwaltung/zahlungen/gebuehren/",
    "payments_staff:fee_add": lambda w: "/verwaltung/zahlungen/gebuehren/neu/",
    "payments_staff:fee_edit": lambda w: f"/verwaltung/zahlungen/gebuehren/{w['fee'].pk}/",
    "payments_staff:settings": lambda w: "/verwaltung/zahlungen/einstellungen/",
    "exchange_incoming:list": lambda w: "/verwaltung/austausch/eingang/",
    "exchange_incoming:detail": lambda w: f"/verwaltung/austausch/eingang/{w['incoming'].pk}/",
    "exchange:outbox": lambda w: "/verwaltung/austausch/",
    "exchange:outgoing": lambda w: f"/verwaltung/austausch/{w['outgoing'].pk}/",
    "mqtt_staff:dead_letters": lambda w: "/verwaltung/sensordaten/fehler/",
    "opendata_staff:thresholds": lambda w: "/verwaltung/sensordaten/schwellenwerte/",
    "opendata_staff:threshold_add": lambda w: "/verwaltung/sensordaten/schwellenwerte/neu/",
    "opendata_staff:threshold_edit": (
        lambda w: f"/verwaltung/sensordaten/schwellenwerte/{w['threshold'].pk}/"
    ),
    "catalogue_staff:list": lambda w: "/verwaltung/daten/",
    "catalogue_staff:add": lambda w: "/verwaltung/daten/neu/",
    "catalogue_staff:edit": lambda w: f"/verwaltung/daten/{w['dataset'].pk}/",
    "noticeboard_staff:list": lambda w: "/verwaltung/bekanntmachungen/",
    "noticeboard_staff:add": lambda w: "/verwaltung/bekanntmachungen/neu/",
    "noticeboard_staff:notice": lambda w: f"/verwaltung/bekanntmachungen/{w['notice'].pk}/",
    "noticeboard_staff:withdraw": (
        lambda w: f"/verwaltung/bekanntmachungen/{w['notice'].pk}/zurueckziehen/"
    ),
    "projects_staff:list": lambda w: "/verwaltung/projekte/",
    "projects_staff:add": lambda w: "/verwaltung/projekte/neu/",
    "projects_staff:report": lambda w: "/verwaltung/projekte/bericht/",
    "projects_staff:project": lambda w: f"/verwaltung/projekte/{w['digital_project'].pk}/",
    "events_staff:list": lambda w: "/verwaltung/veranstaltungen/",
    "events_staff:add": lambda w: "/verwaltung/veranstaltungen/neu/",
    "events_staff:event": lambda w: f"/verwaltung/veranstaltungen/{w['event'].pk}/",
    "events_staff:cancel": lambda w: f"/verwaltung/veranstaltungen/{w['event'].pk}/absagen/",
    "events_staff:attendance": (
        lambda w: f"/verwaltung/veranstaltungen/{w['event'].pk}/teilnehmende/"
    ),
    "events_staff:series_list": lambda w: "/verwaltung/veranstaltungen/reihen/",
    "events_staff:series_add": lambda w: "/verwaltung/veranstaltungen/reihen/neu/",
    "events_staff:series": (
        lambda w: f"/verwaltung/veranstaltungen/reihen/{w['event_series'].pk}/"
    ),
    "construction_staff:list": lambda w: "/verwaltung/baustellen/",
    "construction_staff:add": lambda w: "/verwaltung/baustellen/neu/",
    "construction_staff:edit": lambda w: f"/verwaltung/baustellen/{w['site'].pk}/",
    "construction_projects_staff:list": lambda w: "/verwaltung/baustellen/bauvorhaben/",
    "construction_projects_staff:add": lambda w: "/verwaltung/baustellen/bauvorhaben/neu/",
    "construction_projects_staff:edit": (
        lambda w: f"/verwaltung/baustellen/bauvorhaben/{w['project_phase'].project_id}/"
    ),
    "construction_projects_staff:phase_add": (
        lambda w: (
            f"/verwaltung/baustellen/bauvorhaben/{w['project_phase'].project_id}/abschnitte/neu/"
        )
    ),
    "construction_projects_staff:phase_edit": (
        lambda w: (
            f"/verwaltung/baustellen/bauvorhaben/{w['project_phase'].project_id}/abschnitte/"
            f"{w['project_phase'].pk}/"
        )
    ),
    "construction_projects_staff:picture_add": (
        lambda w: (
            f"/verwaltung/baustellen/bauvorhaben/{w['project_picture'].project_id}/bilder/neu/"
        )
    ),
    "construction_projects_staff:picture_edit": (
        lambda w: (
            f"/verwaltung/baustellen/bauvorhaben/{w['project_picture'].project_id}/bilder/"
            f"{w['project_picture'].pk}/"
        )
    ),
    "council_staff:meetings": lambda w: "/verwaltung/rat/",
    "council_staff:body": lambda w: "/verwaltung/rat/gemeinderat/",
    "council_staff:meeting_add": lambda w: "/verwaltung/rat/sitzungen/neu/",
    "council_staff:meeting": lambda w: f"/verwaltung/rat/sitzungen/{w['meeting'].pk}/",
    "council_staff:meeting_delete": (
        lambda w: f"/verwaltung/rat/sitzungen/{w['meeting'].pk}/loeschen/"
    ),
    "council_staff:papers": lambda w: "/verwaltung/rat/vorlagen/",
    "council_staff:paper_add": lambda w: "/verwaltung/rat/vorlagen/neu/",
    "council_staff:paper": lambda w: f"/verwaltung/rat/vorlagen/{w['paper'].pk}/",
    "council_staff:paper_delete": lambda w: f"/verwaltung/rat/vorlagen/{w['paper'].pk}/loeschen/",
    "participation_staff:list": lambda w: "/verwaltung/mitmachen/",
    "participation_staff:proposals": lambda w: "/verwaltung/mitmachen/vorschlaege/",
    "participation_staff:proposal": (
        lambda w: f"/verwaltung/mitmachen/vorschlaege/{w['participation_proposal'].pk}/"
    ),
    "participation_staff:competition_add": (
        lambda w: (
            f"/verwaltung/mitmachen/{w['participation_competition'].process_id}/wettbewerbe/neu/"
        )
    ),
    "participation_staff:competition": (
        lambda w: f"/verwaltung/mitmachen/wettbewerbe/{w['participation_competition'].pk}/"
    ),
    "participation_staff:add": lambda w: "/verwaltung/mitmachen/neu/",
    "participation_staff:process": (
        lambda w: f"/verwaltung/mitmachen/{w['participation_free_phase'].process_id}/"
    ),
    "participation_staff:phase_add": (
        lambda w: f"/verwaltung/mitmachen/{w['participation_free_phase'].process_id}/phasen/neu/"
    ),
    "participation_staff:phase": (
        lambda w: (
            f"/verwaltung/mitmachen/{w['participation_free_phase'].process_id}/phasen/"
            f"{w['participation_free_phase'].pk}/"
        )
    ),
    "participation_staff:survey_add": (
        lambda w: (
            f"/verwaltung/mitmachen/{w['participation_free_phase'].process_id}/phasen/"
            f"{w['participation_free_phase'].pk}/umfrage/"
        )
    ),
    "participation_staff:survey": (
        lambda w: f"/verwaltung/mitmachen/umfragen/{w['participation_question'].survey_id}/"
    ),
    "participation_staff:question_add": (
        lambda w: (
            f"/verwaltung/mitmachen/umfragen/{w['participation_question'].survey_id}/fragen/neu/"
        )
    ),
    "participation_staff:question": (
        lambda w: (
            f"/verwaltung/mitmachen/umfragen/{w['participation_question'].survey_id}/fragen/"
            f"{w['participation_question'].pk}/"
        )
    ),
    "participation_staff:results": (
        lambda w: (
            f"/verwaltung/mitmachen/umfragen/{w['participation_question'].survey_id}/ergebnisse/"
        )
    ),
    "participation_staff:review": (
        lambda w: (
            f"/verwaltung/mitmachen/umfragen/{w['participation_question'].survey_id}/freitexte/"
        )
    ),
    "noticeboard_staff:screens": lambda w: "/verwaltung/bekanntmachungen/anzeigen/",
    "noticeboard_staff:screen_add": lambda w: "/verwaltung/bekanntmachungen/anzeigen/neu/",
    "noticeboard_staff:screen": (
        lambda w: f"/verwaltung/bekanntmachungen/anzeigen/{w['screen'].pk}/"
    ),
    "forms_staff:import_report": (
        lambda w: (
            f"/verwaltung/formulare/{w['form'].pk}/versionen/{w['version'].number}/importbericht/"
        )
    ),
    "council_staff:persons": lambda w: "/verwaltung/rat/personen/",
    "council_staff:person_add": lambda w: "/verwaltung/rat/personen/neu/",
    "council_staff:person": (
        lambda w: f"/verwaltung/rat/personen/{w['council_membership'].person_id}/"
    ),
    "council_staff:person_delete": (
        lambda w: f"/verwaltung/rat/personen/{w['council_membership'].person_id}/loeschen/"
    ),
    "council_staff:membership_add": (
        lambda w: (
            f"/verwaltung/rat/personen/{w['council_membership'].person_id}/mitgliedschaften/neu/"
        )
    ),
    "council_staff:membership": (
        lambda w: (
            f"/verwaltung/rat/personen/{w['council_membership'].person_id}/mitgliedschaften/"
            f"{w['council_membership'].pk}/"
        )
    ),
    "council_staff:membership_delete": (
        lambda w: (
            f"/verwaltung/rat/personen/{w['council_membership'].person_id}/mitgliedschaften/"
            f"{w['council_membership'].pk}/loeschen/"
        )
    ),
    "council_staff:organizations": lambda w: "/verwaltung/rat/gremien/",
    "council_staff:organization_add": lambda w: "/verwaltung/rat/gremien/neu/",
    "council_staff:organization": (
        lambda w: f"/verwaltung/rat/gremien/{w['council_organization'].pk}/"
    ),
    "council_staff:organization_delete": (
        lambda w: f"/verwaltung/rat/gremien/{w['council_organization'].pk}/loeschen/"
    ),
    "council_staff:terms": lambda w: "/verwaltung/rat/wahlperioden/",
    "council_staff:term_add": lambda w: "/verwaltung/rat/wahlperioden/neu/",
    "council_staff:term": lambda w: f"/verwaltung/rat/wahlperioden/{w['council_term'].pk}/",
    "council_staff:term_delete": (
        lambda w: f"/verwaltung/rat/wahlperioden/{w['council_term'].pk}/loeschen/"
    ),
    "schools_staff:list": lambda w: "/verwaltung/schulen/",
    "schools_staff:import": lambda w: "/verwaltung/schulen/import/",
    "schools_staff:school": lambda w: f"/verwaltung/schulen/{w['school_loan'].device.school_id}/",
    "schools_staff:devices": (
        lambda w: f"/verwaltung/schulen/{w['school_loan'].device.school_id}/geraete/"
    ),
    "schools_staff:device_add": (
        lambda w: f"/verwaltung/schulen/{w['school_loan'].device.school_id}/geraete/neu/"
    ),
    "schools_staff:requests": (
        lambda w: f"/verwaltung/schulen/{w['school_loan'].device.school_id}/anfragen/"
    ),
    "schools_staff:care": (
        lambda w: f"/verwaltung/schulen/{w['school_loan'].device.school_id}/wartung-und-schulung/"
    ),
    "schools_staff:teachers": (
        lambda w: f"/verwaltung/schulen/{w['school_loan'].device.school_id}/lehrkraefte/"
    ),
    "schools_staff:device": lambda w: f"/verwaltung/schulen/geraete/{w['school_loan'].device_id}/",
    "schools_staff:lend": (
        lambda w: f"/verwaltung/schulen/geraete/{w['school_loan'].device_id}/ausleihen/"
    ),
    "schools_staff:return": (
        lambda w: f"/verwaltung/schulen/ausleihen/{w['school_loan'].pk}/rueckgabe/"
    ),
    "schools_staff:request": (lambda w: f"/verwaltung/schulen/anfragen/{w['school_request'].pk}/"),
    "council_staff:locations": lambda w: "/verwaltung/rat/orte/",
    "council_staff:location_add": lambda w: "/verwaltung/rat/orte/neu/",
    "council_staff:location": lambda w: f"/verwaltung/rat/orte/{w['council_location'].pk}/",
    "council_staff:location_delete": (
        lambda w: f"/verwaltung/rat/orte/{w['council_location'].pk}/loeschen/"
    ),
}


def test_every_staff_address_is_a_page_of_the_frame_or_named_as_none():
    assert staff_url_names() == set(PAGES) | set(NOT_PAGES)


# Pages a clerk may not open (they get a refusal in the same frame), opened by the demo
# administrator.
FOR_ADMINISTRATORS = {
    "staff:tasks",
    "forms_staff:create",
    "forms_staff:import",
    "forms_staff:publish",
    "forms_staff:retire",
    "legal_staff:list",
    "legal_staff:edit",
    "documents:access_log",
    "documents:xdomea",
    "payments_staff:fees",
    "payments_staff:fee_add",
    "payments_staff:fee_edit",
    "payments_staff:settings",
    "exchange:outbox",
    "exchange:outgoing",
    "mqtt_staff:dead_letters",
    "opendata_staff:thresholds",
    "opendata_staff:threshold_add",
    "opendata_staff:threshold_edit",
    "catalogue_staff:list",
    "catalogue_staff:add",
    "catalogue_staff:edit",
    "noticeboard_staff:list",
    "noticeboard_staff:add",
    "noticeboard_staff:notice",
    "noticeboard_staff:withdraw",
    "construction_staff:list",
    "construction_staff:add",
    "construction_staff:edit",
    "construction_projects_staff:list",
    "construction_projects_staff:add",
    "construction_projects_staff:edit",
    "construction_projects_staff:phase_add",
    "construction_projects_staff:phase_edit",
    "construction_projects_staff:picture_add",
    "construction_projects_staff:picture_edit",
    *(name for name in PAGES if name.startswith("council_staff:")),
    *(name for name in PAGES if name.startswith("participation_staff:")),
    *(name for name in PAGES if name.startswith("events_staff:")),
    *(name for name in PAGES if name.startswith("projects_staff:")),
    *(name for name in PAGES if name.startswith("schools_staff:")),
}


def assert_staff_frame(html: str, address: str, unit: str) -> None:
    assert STAFF_NAV in html, address
    assert CITIZEN_NAV not in html, address
    assert "Angemeldet als <strong>" in html, address
    assert "/verwaltung/abmelden/" in html, address
    assert f'<span class="staff-user__units">{unit}' in html, address


def test_every_staff_page_shows_the_staff_frame_and_not_the_citizen_navigation(meldung):
    clerk = log_in(Client(), "buergerbuero")
    administrator = log_in(Client(), "digitales")
    found = world(meldung)
    assert all(value is not None for value in found.values()), found
    addresses = {name: make(found) for name, make in PAGES.items()}
    tabs = [f"{addresses['cases_staff:case']}?tab={tab}" for tab in ("antrag", "dokumente",
            "nachrichten", "verlauf", "prozess")]  # fmt: skip
    clerk_unit = "Bürgerbüro / Einwohnermeldeamt"
    for address in [*addresses.values(), *tabs]:
        response = clerk.get(address)
        assert_staff_frame(response.content.decode(), address, clerk_unit)
        assert response.status_code in (200, 403), address
        if response.status_code == 200:  # no browser or proxy keeps a staff page (ASVS V14.3.2)
            assert "no-store" in response["Cache-Control"], address
    for name in FOR_ADMINISTRATORS:
        response = administrator.get(addresses[name])
        # (the demo version is published already: that page says so, with 409)
        assert response.status_code == (409 if name == "forms_staff:publish" else 200), name
        assert_staff_frame(response.content.decode(), name, "Bereich Digitales")
        assert "no-store" in response["Cache-Control"], name
    refused = [name for name in PAGES if clerk.get(addresses[name]).status_code == 403]
    assert set(refused) <= FOR_ADMINISTRATORS


def test_the_staff_navigation_is_contributed_per_app_and_depends_on_the_role(meldung):
    clerk = log_in(Client(), "buergerbuero")
    html = clerk.get("/verwaltung/").content.decode()
    nav = html.split(STAFF_NAV)[1].split("</nav>")[0]
    for label in ("Übersicht", "Posteingang", "Meine Aufgaben", "Termine", "Leistungen",
                  "Online-Formulare", "Prozessmodelle"):  # fmt: skip
        assert f">{label}</a>" in nav, label
    # Heads of units see the background tasks; clerks do not, nor the configuration.
    assert "Hintergrundaufgaben" not in nav
    assert "Konfiguration" not in nav
    head_nav = log_in(Client(), "ordnungsamt").get("/verwaltung/").content.decode()
    assert ">Hintergrundaufgaben</a>" in head_nav.split(STAFF_NAV)[1].split("</nav>")[0]
    # The entry of the page shown is marked, the view of the inbox before the inbox itself.
    tasks = clerk.get("/verwaltung/vorgaenge/?ansicht=aufgaben").content.decode()
    assert 'href="/verwaltung/vorgaenge/?ansicht=aufgaben" aria-current="page"' in tasks
    assert 'href="/verwaltung/vorgaenge/" aria-current="page"' not in tasks
    case = clerk.get(f"/verwaltung/vorgaenge/{meldung.number}/").content.decode()
    assert 'href="/verwaltung/vorgaenge/" aria-current="page"' in case


def test_an_app_adds_its_area_to_the_staff_navigation(meldung):
    item = navigation.StaffNavItem("extra", "Sonderbereich", "staff:api_tokens", 95)
    navigation.register_staff(item)
    try:
        html = log_in(Client(), "buergerbuero").get("/verwaltung/").content.decode()
        assert ">Sonderbereich</a>" in html
    finally:
        navigation._staff_items.pop("extra")


def test_the_login_pages_use_the_staff_frame_without_the_citizen_navigation(client, barleben):
    html = client.get("/verwaltung/anmelden/").content.decode()
    assert CITIZEN_NAV not in html
    assert STAFF_NAV not in html  # nobody is logged in: no areas to offer
    assert "Zum Bürgerportal" in html


def test_refusals_in_the_staff_area_keep_the_staff_frame(meldung, settings):
    settings.DEBUG = False
    other = log_in(Client(), "bauamt")
    response = other.get(f"/verwaltung/vorgaenge/{meldung.number}/")
    assert response.status_code == 404
    assert_staff_frame(response.content.decode(), "404", "Bauamt")
    assert "Zur Übersicht des Verwaltungsbereichs" in response.content.decode()
    response = other.get("/verwaltung/hintergrundaufgaben/")
    assert response.status_code == 403
    assert_staff_frame(response.content.decode(), "403", "Bauamt")

"""Staff pages below ``/verwaltung/mitmachen/`` (namespace ``participation_staff``)."""

from django.urls import URLPattern, URLResolver, path

from rathaus.participation import staff_competitions as competitions
from rathaus.participation import staff_processes as processes
from rathaus.participation import staff_proposals as ideas
from rathaus.participation import staff_surveys as surveys

app_name = "participation_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", processes.process_list, name="list"),
    path("neu/", processes.process_add, name="add"),
    path("<id:pk>/", processes.process_edit, name="process"),
    path("<id:pk>/zustand/", processes.process_state, name="state"),
    path("<id:pk>/phasen/neu/", processes.phase_add, name="phase_add"),
    path("<id:pk>/phasen/<id:phase>/", processes.phase_edit, name="phase"),
    path("<id:pk>/phasen/<id:phase>/entfernen/", processes.phase_remove, name="phase_remove"),
    path("<id:pk>/phasen/<id:phase>/umfrage/", processes.survey_add, name="survey_add"),
    path("umfragen/<id:pk>/", surveys.survey_edit, name="survey"),
    path("umfragen/<id:pk>/fragen/neu/", surveys.question_add, name="question_add"),
    path("umfragen/<id:pk>/fragen/<id:question>/", surveys.question_edit, name="question"),
    path(
        "umfragen/<id:pk>/fragen/<id:question>/entfernen/",
        surveys.question_remove,
        name="question_remove",
    ),
    path("umfragen/<id:pk>/ergebnisse/", surveys.results_page, name="results"),
    path("umfragen/<id:pk>/ergebnisse.csv", surveys.results_csv, name="csv"),
    path("umfragen/<id:pk>/veroeffentlichen/", surveys.results_publish, name="publish"),
    path("umfragen/<id:pk>/freitexte/", surveys.review_list, name="review"),
    path("umfragen/<id:pk>/freitexte/<uuid:answer>/", surveys.review_answer, name="review_answer"),
    path("vorschlaege/", ideas.proposal_list, name="proposals"),
    path("vorschlaege/<id:pk>/", ideas.proposal_detail, name="proposal"),
    path(
        "vorschlaege/<id:pk>/sichtbarkeit/", ideas.proposal_visibility, name="proposal_visibility"
    ),
    path(
        "vorschlaege/<id:pk>/kommentare/<id:comment>/sichtbarkeit/",
        ideas.comment_visibility,
        name="comment_visibility",
    ),
    path("vorschlaege/<id:pk>/antwort/", ideas.answer, name="proposal_answer"),
    path("vorschlaege/<id:pk>/verknuepfungen/", ideas.links, name="proposal_links"),
    path("meldungen/<id:pk>/erledigt/", ideas.report_close, name="report_close"),
    path("<id:pk>/wettbewerbe/neu/", competitions.competition_add, name="competition_add"),
    path("wettbewerbe/<id:pk>/", competitions.competition_edit, name="competition"),
    path("wettbewerbe/<id:pk>/beitraege/neu/", competitions.entry_add, name="entry_add"),
    path("wettbewerbe/<id:pk>/beitraege/<id:entry>/", competitions.entry_decide, name="entry"),
    path("wettbewerbe/<id:pk>/pruefen/", competitions.record_verify, name="record_verify"),
    path(
        "wettbewerbe/<id:pk>/beitraege/<id:entry>/bild/",
        competitions.entry_picture,
        name="entry_picture",
    ),
]

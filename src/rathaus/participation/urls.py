"""Public pages of citizen participation below ``/mitmachen/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.participation import competition_views as competition
from rathaus.participation import proposal_views as ideas
from rathaus.participation import views

app_name = "participation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.process_list, name="list"),
    path("<slug:slug>/", views.process_detail, name="process"),
    path("<slug:slug>/umfrage/<uuid:uid>/", views.survey_page, name="survey"),
    path("<slug:slug>/umfrage/<uuid:uid>/gespeichert/", views.saved, name="saved"),
    path("<slug:slug>/umfrage/<uuid:uid>/weiter/<str:token>/", views.resume, name="resume"),
    path("<slug:slug>/umfrage/<uuid:uid>/danke/", views.thanks, name="thanks"),
    path("<slug:slug>/umfrage/<uuid:uid>/ergebnisse/", views.results_page, name="results"),
    path("<slug:slug>/vorschlaege/", ideas.proposal_list, name="proposals"),
    path("<slug:slug>/vorschlaege/neu/", ideas.proposal_new, name="proposal_new"),
    path("<slug:slug>/vorschlaege/pruefung/", ideas.challenge, name="proposal_challenge"),
    path("<slug:slug>/vorschlaege/<uuid:uid>/", ideas.proposal_detail, name="proposal"),
    path(
        "<slug:slug>/vorschlaege/<uuid:uid>/bild/", ideas.proposal_picture, name="proposal_picture"
    ),
    path("<slug:slug>/vorschlaege/<uuid:uid>/bild/anzeigen/", ideas.picture, name="proposal_image"),
    path(
        "<slug:slug>/vorschlaege/<uuid:uid>/unterstuetzen/", ideas.support, name="proposal_support"
    ),
    path(
        "<slug:slug>/vorschlaege/<uuid:uid>/kommentieren/", ideas.comment, name="proposal_comment"
    ),
    path("<slug:slug>/vorschlaege/<uuid:uid>/melden/", ideas.report, name="proposal_report"),
    path("<slug:slug>/wettbewerb/<uuid:uid>/", competition.competition_page, name="competition"),
    path("<slug:slug>/wettbewerb/<uuid:uid>/stimme/", competition.vote, name="vote"),
    path("<slug:slug>/wettbewerb/<uuid:uid>/einreichen/", competition.entry_new, name="entry_new"),
    path(
        "<slug:slug>/wettbewerb/<uuid:uid>/ergebnis/",
        competition.results_page,
        name="competition_results",
    ),
    path(
        "<slug:slug>/wettbewerb/<uuid:uid>/bild/<uuid:entry>/",
        competition.picture,
        name="entry_picture",
    ),
]

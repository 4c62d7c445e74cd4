"""Public event pages below ``/veranstaltungen/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.events import calendar, views

app_name = "events"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.event_list, name="list"),
    path("kalender.ics", calendar.feed, name="feed"),
    path("pruefung/", views.challenge, name="challenge"),
    path("angemeldet/", views.sent, name="sent"),
    path("bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("abmelden/<str:code>/", views.cancel, name="cancel"),
    path("<uuid:uid>/", views.event_detail, name="event"),
    path("<uuid:uid>/termin.ics", calendar.event_ics, name="event_ics"),
]

"""Public council pages below ``/rat/``: meetings, papers, persons, organisations, calendar."""

from django.urls import path

from rathaus.council import calendar, public_papers, public_people, public_views

app_name = "council"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("sitzungen.ics", calendar.feed, name="ics"),
    path("sitzungen/<id:pk>/", public_views.meeting_detail, name="meeting"),
    path("sitzungen/<id:pk>/termin.ics", calendar.meeting_event, name="meeting-ics"),
    path("vorlagen/", public_papers.paper_list, name="papers"),
    path("vorlagen/<id:pk>/", public_papers.paper_detail, name="paper"),
    path("personen/", public_people.person_list, name="persons"),
    path("personen/<id:pk>/", public_people.person_detail, name="person"),
    path("gremien/", public_people.organization_list, name="organizations"),
    path("gremien/<id:pk>/", public_people.organization_detail, name="organization"),
]

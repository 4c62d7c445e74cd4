"""Staff pages that keep the council's information, below ``/verwaltung/rat/``: meetings with
their agenda, papers and files (``staff_meeting_urls``); persons, organisations, memberships,
legislative terms and locations (``staff_people_urls``)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "council_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("rathaus.council.staff_meeting_urls")),
    path("", include("rathaus.council.staff_people_urls")),
]

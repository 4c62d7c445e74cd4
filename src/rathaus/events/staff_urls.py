"""Staff pages below ``/verwaltung/veranstaltungen/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.events import staff_series, staff_views

app_name = "events_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff_views.event_list, name="list"),
    path("neu/", staff_views.event_add, name="add"),
    path("<id:pk>/", staff_views.event_edit, name="event"),
    path("<id:pk>/veroeffentlichen/", staff_views.event_publish, name="publish"),
    path("<id:pk>/absagen/", staff_views.event_cancel, name="cancel"),
    path("<id:pk>/teilnehmende/", staff_views.attendance, name="attendance"),
    path("<id:pk>/teilnehmende/<id:registration>/", staff_views.mark, name="mark"),
    path(
        "<id:pk>/teilnehmende/<id:registration>/bescheinigung.pdf",
        staff_views.certificate,
        name="certificate",
    ),
    path("reihen/", staff_series.series_list, name="series_list"),
    path("reihen/neu/", staff_series.series_add, name="series_add"),
    path("reihen/<id:pk>/", staff_series.series_edit, name="series"),
    path("reihen/<id:pk>/ausfall/", staff_series.series_exception, name="series_exception"),
]

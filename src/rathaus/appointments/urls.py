from django.urls import path, register_converter

from rathaus.appointments import manage_views, open_data, views
from rathaus.appointments.models import MAX_COMBINED


class TypesConverter:
    """One appointment type id (3) or several combined ones joined by hyphens (3-5)."""

    regex = rf"[0-9]{{1,18}}(?:-[0-9]{{1,18}}){{0,{MAX_COMBINED - 1}}}"  # 64-bit ids

    def to_python(self, value: str) -> tuple[int, ...]:
        return tuple(int(part) for part in value.split("-"))

    def to_url(self, value: object) -> str:
        if isinstance(value, tuple | list):
            return "-".join(str(int(part)) for part in value)
        return str(value)


register_converter(TypesConverter, "types")

app_name = "appointments"

urlpatterns = [
    path("", views.index, name="index"),
    path("statistik.csv", open_data.statistics_csv, name="statistics_csv"),
    path("<slug:location_slug>/kombinieren/", views.combine, name="combine"),
    path("reserviert/", views.held, name="held"),
    path("pruefung/", views.challenge, name="challenge"),
    path("warteliste/<slug:token>/", manage_views.waiting, name="waiting"),
    path(
        "<slug:location_slug>/<id:type_id>/warteliste/",
        manage_views.waiting_join,
        name="waiting_join",
    ),
    path("<slug:token>/verschieben/", manage_views.reschedule, name="reschedule"),
    path(
        "<slug:token>/verschieben/<str:date>/",
        manage_views.reschedule_day,
        name="reschedule_day",
    ),
    path(
        "<slug:token>/verschieben/<str:date>/<str:time>/",
        manage_views.reschedule_time,
        name="reschedule_time",
    ),
    path("<slug:location_slug>/<types:type_id>/", views.month, name="month"),
    path("<slug:location_slug>/<types:type_id>/<str:date>/", views.day, name="day"),
    path(
        "<slug:location_slug>/<types:type_id>/<str:date>/<str:time>/",
        views.details,
        name="details",
    ),
    path("<slug:token>/", views.manage, name="manage"),
    path("<slug:token>/bestaetigen/", views.confirm, name="confirm"),
    path("<slug:token>/absagen/", views.cancel, name="cancel"),
    path("<slug:token>/termin.ics", views.ics_file, name="ics"),
]

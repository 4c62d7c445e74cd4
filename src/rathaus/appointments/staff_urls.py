"""The staff side of appointments, mounted at /verwaltung/termine/."""

from django.urls import path

from rathaus.appointments import staff_views

app_name = "appointments_staff"

urlpatterns = [
    path("", staff_views.locations, name="locations"),
    path("<int:pk>/", staff_views.day_list, name="day"),
    path("<int:pk>/woche/", staff_views.week_list, name="week"),
    path("<int:pk>/aktion/", staff_views.act, name="act"),
    path("<int:pk>/sperrzeiten/", staff_views.blocks, name="blocks"),
    path("<int:pk>/tag-absagen/", staff_views.cancel_day, name="cancel_day"),
    path("<int:pk>/statistik/", staff_views.statistics_view, name="statistics"),
]

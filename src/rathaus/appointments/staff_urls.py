"""The staff side of appointments, mounted at /verwaltung/termine/."""

from django.urls import path

from rathaus.appointments import staff_views

app_name = "appointments_staff"

urlpatterns = [
    path("", staff_views.locations, name="locations"),
    path("<id:pk>/", staff_views.day_list, name="day"),
    path("<id:pk>/woche/", staff_views.week_list, name="week"),
    path("<id:pk>/aktion/", staff_views.act, name="act"),
    path("<id:pk>/sperrzeiten/", staff_views.blocks, name="blocks"),
    path("<id:pk>/tag-absagen/", staff_views.cancel_day, name="cancel_day"),
    path("<id:pk>/statistik/", staff_views.statistics_view, name="statistics"),
]

"""Public addresses of the dashboards, below ``/daten/`` (ADR 0061)."""

from django.urls import URLPattern, path

from rathaus.opendata import views

app_name = "opendata"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("warnungen/", views.subscribe, name="subscribe"),
    path("warnungen/gesendet/", views.subscribe_sent, name="subscribe_sent"),
    path("warnungen/bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("warnungen/abmelden/<str:code>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.topic, name="topic"),
    path("<slug:slug>/<id:pk>/", views.datastream, name="datastream"),
    path("<slug:slug>/<id:pk>.csv", views.datastream_csv, name="datastream_csv"),
]

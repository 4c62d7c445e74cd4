"""The full-screen pages of the digital notice board below ``/anzeige/`` (ADR 0067)."""

from django.urls import URLPattern, URLResolver, path

from rathaus.noticeboard import screen_views

app_name = "screens"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:slug>/", screen_views.screen, name="screen"),
    path("<slug:slug>/inhalt.json", screen_views.content, name="content"),
]

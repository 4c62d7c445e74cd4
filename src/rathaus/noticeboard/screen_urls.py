"""The full-screen pages of the digital notice board below ``/anzeige/``."""

from django.urls import URLPattern, URLResolver

app_name = "screens"

urlpatterns: list[URLPattern | URLResolver] = []

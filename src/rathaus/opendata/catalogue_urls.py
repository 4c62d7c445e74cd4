"""Public pages of the open data catalogue, below ``/daten/katalog/`` (ADR 0062)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "catalogue"

urlpatterns: list[URLPattern] = []

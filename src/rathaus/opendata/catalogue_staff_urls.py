"""Staff pages of the open data catalogue, below ``/verwaltung/daten/`` (ADR 0062)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "catalogue_staff"

urlpatterns: list[URLPattern] = []

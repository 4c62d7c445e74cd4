"""The catalogue as DCAT-AP.de RDF, below ``/daten/katalog/`` (ADR 0062)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "dcat"

urlpatterns: list[URLPattern] = []

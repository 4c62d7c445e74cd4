"""Public pages and feeds of construction sites and disruptions, below ``/baustellen/``."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "construction"

urlpatterns: list[URLPattern] = []

"""Staff pages of construction sites and disruptions, below ``/verwaltung/baustellen/``."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "construction_staff"

urlpatterns: list[URLPattern] = []

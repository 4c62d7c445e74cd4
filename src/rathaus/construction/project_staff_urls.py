"""Staff pages of construction projects, below ``/verwaltung/baustellen/bauvorhaben/``."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "construction_projects_staff"

urlpatterns: list[URLPattern] = []

"""Public pages of the town's construction projects, below ``/baustellen/bauvorhaben/``."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "construction_projects"

urlpatterns: list[URLPattern] = []

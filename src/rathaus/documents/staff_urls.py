"""Addresses of the e-file for staff, below ``/verwaltung/akten/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.documents import case_views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("vorgang/<int:case_id>/", case_views.case_file, name="case_file"),
]

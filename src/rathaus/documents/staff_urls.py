"""Addresses of the e-file for staff, below ``/verwaltung/akten/``."""

from django.urls import URLPattern, URLResolver

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = []

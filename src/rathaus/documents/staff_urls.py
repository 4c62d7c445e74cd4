"""Addresses of the e-file for staff, below ``/verwaltung/akten/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.documents import search_views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += [path("suche/", search_views.search, name="search")]

"""Public pages of the open data catalogue, below ``/daten/katalog/`` (ADR 0062).

The machine-readable variants (``catalog.ttl``, ``<slug>.ttl`` …) are the DCAT export's
(``opendata/dcat/urls.py``, tried first).
"""

from django.urls import URLPattern, path

from rathaus.opendata import catalogue_views

app_name = "catalogue"

urlpatterns: list[URLPattern] = [
    path("", catalogue_views.catalogue, name="list"),
    path("<slug:slug>/", catalogue_views.dataset_page, name="dataset"),
]

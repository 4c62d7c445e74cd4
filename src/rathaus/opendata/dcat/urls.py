"""The catalogue as DCAT-AP.de RDF, below ``/daten/katalog/`` (ADR 0062).

Tried before the catalogue's HTML pages: ``catalog.ttl`` is the whole catalogue, so a dataset
cannot be reached as RDF under the short name "catalog" (the HTML page still can).
"""

from django.urls import URLPattern, re_path

from rathaus.opendata.dcat import views

app_name = "dcat"

FORMATS = r"(?P<fmt>ttl|rdf|jsonld)"

urlpatterns: list[URLPattern] = [
    re_path(rf"^catalog\.{FORMATS}$", views.catalogue, name="catalogue"),
    re_path(rf"^(?P<slug>[-a-zA-Z0-9_]+)\.{FORMATS}$", views.dataset, name="dataset"),
]

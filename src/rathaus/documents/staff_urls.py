"""Addresses of the e-file for staff, below ``/verwaltung/akten/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.documents import retention_views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = []

# The end of retention (Aussonderung, ADR 0044).
urlpatterns += [
    path("aussonderung/", retention_views.overview, name="retention"),
    path("aussonderung/protokoll/", retention_views.records, name="deletion_records"),
    path("aussonderung/antraege/<id:pk>/", retention_views.decide, name="decide_deletion"),
    path(
        "aussonderung/<id:pk>/loeschen/", retention_views.request_deletion, name="request_deletion"
    ),
]

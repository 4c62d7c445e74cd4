"""Addresses of the e-file for staff, below ``/verwaltung/akten/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.documents import xdomea_views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = []

# xdomea exchange with the archive (ADR 0045)
urlpatterns += [
    path("xdomea/", xdomea_views.page, name="xdomea"),
    path("xdomea/export/", xdomea_views.export, name="xdomea_export"),
    path("xdomea/abgabe/", xdomea_views.hand_over, name="xdomea_hand_over"),
    path("xdomea/import/", xdomea_views.import_message, name="xdomea_import"),
]

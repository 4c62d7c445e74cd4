"""Addresses of the e-file for staff, below ``/verwaltung/akten/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.documents import (
    case_views,
    retention_views,
    search_views,
    staff_downloads,
    staff_views,
    xdomea_views,
)

app_name = "documents"

# The file list, the file plan, files, documents and versions (ADR 0042).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff_views.file_list, name="files"),
    path("neu/", staff_views.new_file, name="new"),
    path("plan/", staff_views.plan, name="plan"),
    path("<id:pk>/", staff_views.file_detail, name="file"),
    path("<id:pk>/abschliessen/", staff_views.close_file, name="close"),
    path("<id:pk>/zugriffe/", staff_downloads.access_log, name="access_log"),
    path("<id:pk>/dokumente/<id:doc>/", staff_views.document_detail, name="document"),
    path("<id:pk>/dokumente/<id:doc>/v<id:number>/", staff_downloads.version, name="version"),
    path(
        "<id:pk>/dokumente/<id:doc>/v<id:number>/vorschau/",
        staff_downloads.preview,
        name="preview",
    ),
]

# From a case to its file (ADR 0041).
urlpatterns += [
    path("vorgang/<id:case_id>/", case_views.case_file, name="case_file"),
]

# The end of retention (Aussonderung, ADR 0044).
urlpatterns += [
    path("aussonderung/", retention_views.overview, name="retention"),
    path("aussonderung/protokoll/", retention_views.records, name="deletion_records"),
    path("aussonderung/antraege/<id:pk>/", retention_views.decide, name="decide_deletion"),
    path(
        "aussonderung/<id:pk>/loeschen/", retention_views.request_deletion, name="request_deletion"
    ),
]

# xdomea exchange with the archive (ADR 0045).
urlpatterns += [
    path("xdomea/", xdomea_views.page, name="xdomea"),
    path("xdomea/export/", xdomea_views.export, name="xdomea_export"),
    path("xdomea/abgabe/", xdomea_views.hand_over, name="xdomea_hand_over"),
    path("xdomea/import/", xdomea_views.import_message, name="xdomea_import"),
]

# Full-text search across the files (ADR 0043).
urlpatterns += [path("suche/", search_views.search, name="search")]

"""Addresses of the e-file for staff, below ``/verwaltung/akten/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.documents import staff_downloads, staff_views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = []

# The file list, the file plan, files, documents and versions.
urlpatterns += [
    path("", staff_views.file_list, name="files"),
    path("neu/", staff_views.new_file, name="new"),
    path("plan/", staff_views.plan, name="plan"),
    path("<int:pk>/", staff_views.file_detail, name="file"),
    path("<int:pk>/abschliessen/", staff_views.close_file, name="close"),
    path("<int:pk>/zugriffe/", staff_downloads.access_log, name="access_log"),
    path("<int:pk>/dokumente/<int:doc>/", staff_views.document_detail, name="document"),
    path("<int:pk>/dokumente/<int:doc>/v<int:number>/", staff_downloads.version, name="version"),
    path(
        "<int:pk>/dokumente/<int:doc>/v<int:number>/vorschau/",
        staff_downloads.preview,
        name="preview",
    ),
]

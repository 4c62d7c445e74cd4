"""Staff pages for online forms, mounted at /verwaltung/formulare/."""

from django.urls import path

from rathaus.forms import staff_import_views, staff_views

app_name = "forms_staff"

urlpatterns = [
    path("", staff_views.form_list, name="list"),
    path("neu/", staff_import_views.form_create, name="create"),
    path("importieren/", staff_import_views.form_import, name="import"),
    path("<int:pk>/", staff_views.form_detail, name="detail"),
    path("<int:pk>/neue-version/", staff_views.version_new, name="new_version"),
    path("<int:pk>/zurueckziehen/", staff_views.form_retire, name="retire"),
    path("<int:pk>/versionen/<int:number>/", staff_views.version_edit, name="version"),
    path("<int:pk>/versionen/<int:number>/vorschau/", staff_views.version_preview, name="preview"),
    path(
        "<int:pk>/versionen/<int:number>/veroeffentlichen/",
        staff_views.version_publish,
        name="publish",
    ),
    path(
        "<int:pk>/versionen/<int:number>/importbericht/",
        staff_import_views.import_report,
        name="import_report",
    ),
]

"""Staff pages for online forms, mounted at /verwaltung/formulare/."""

from django.urls import path

from rathaus.forms import staff_import_views, staff_views

app_name = "forms_staff"

urlpatterns = [
    path("", staff_views.form_list, name="list"),
    path("neu/", staff_import_views.form_create, name="create"),
    path("importieren/", staff_import_views.form_import, name="import"),
    path("<id:pk>/", staff_views.form_detail, name="detail"),
    path("<id:pk>/neue-version/", staff_views.version_new, name="new_version"),
    path("<id:pk>/zurueckziehen/", staff_views.form_retire, name="retire"),
    path("<id:pk>/versionen/<id:number>/", staff_views.version_edit, name="version"),
    path("<id:pk>/versionen/<id:number>/vorschau/", staff_views.version_preview, name="preview"),
    path(
        "<id:pk>/versionen/<id:number>/veroeffentlichen/",
        staff_views.version_publish,
        name="publish",
    ),
    path(
        "<id:pk>/versionen/<id:number>/codelisten/",
        staff_views.version_code_lists,
        name="code_lists",
    ),
    path(
        "<id:pk>/versionen/<id:number>/importbericht/",
        staff_import_views.import_report,
        name="import_report",
    ),
]

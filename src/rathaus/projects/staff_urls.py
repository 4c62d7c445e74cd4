"""Staff pages below ``/verwaltung/projekte/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.projects import staff_report, staff_views

app_name = "projects_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff_views.project_list, name="list"),
    path("neu/", staff_views.project_add, name="add"),
    path("bericht/", staff_report.report_page, name="report"),
    path("bericht/datei/", staff_report.report_file, name="report_file"),
    path("<id:pk>/", staff_views.project_detail, name="project"),
    path("<id:pk>/<slug:part>/", staff_views.project_part, name="part"),
    path("<id:pk>/foerderung/<id:grant>/<slug:part>/", staff_views.grant_part, name="grant_part"),
    path("<id:pk>/<slug:kind>/<id:item>/datum/", staff_views.mark_day, name="mark"),
]

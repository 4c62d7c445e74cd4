"""Process models at /verwaltung/prozesse/ and a case's process below its case page."""

from django.urls import path

from rathaus.processes import views

app_name = "processes"

urlpatterns = [
    path("", views.model_list, name="models"),
    path("<slug:slug>/", views.model_detail, name="model"),
    path("<slug:slug>/v<id:number>.bpmn", views.model_xml, name="model_xml"),
]

# Below a case's page; full paths because case numbers may contain slashes (see cases).
CASE = "verwaltung/vorgaenge/<path:number>/"
case_urlpatterns = [
    path(CASE + "aufgaben/<uuid:task_id>/", views.task, name="task"),
    path(CASE + "prozess/wiederholen/", views.retry, name="retry"),
    path(CASE + "prozess.bpmn", views.diagram, name="diagram"),
]

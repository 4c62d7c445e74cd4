"""Process models at /verwaltung/prozesse/ and a case's process below its case page."""

from django.urls import path

from rathaus.processes import views

app_name = "processes"

urlpatterns = [
    path("", views.model_list, name="models"),
    path("<slug:slug>/", views.model_detail, name="model"),
    path("<slug:slug>/v<int:number>.bpmn", views.model_xml, name="model_xml"),
]

case_urlpatterns = [
    path("aufgaben/<uuid:task_id>/", views.task, name="task"),
    path("prozess/wiederholen/", views.retry, name="retry"),
    path("prozess.bpmn", views.diagram, name="diagram"),
]

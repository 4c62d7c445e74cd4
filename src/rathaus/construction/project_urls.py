"""Public pages of the town's construction projects, below ``/baustellen/bauvorhaben/``."""

from django.urls import path

from rathaus.construction import project_views

app_name = "construction_projects"

urlpatterns = [
    path("", project_views.project_list, name="list"),
    path("<slug:slug>/", project_views.project_detail, name="detail"),
    path("<slug:slug>/bilder/<id:pk>/", project_views.picture, name="picture"),
    path(
        "<slug:slug>/bilder/<id:pk>/original/",
        project_views.picture,
        {"size": "original"},
        name="picture_original",
    ),
]

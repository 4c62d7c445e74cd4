"""The public page of the digital projects below ``/digitalisierung/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.projects import views

app_name = "projects"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.project_list, name="list"),
]

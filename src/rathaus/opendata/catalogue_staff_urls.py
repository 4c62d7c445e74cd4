"""Staff pages of the open data catalogue, below ``/verwaltung/daten/`` (ADR 0062)."""

from django.urls import URLPattern, path

from rathaus.opendata import catalogue_staff_views as views

app_name = "catalogue_staff"

urlpatterns: list[URLPattern] = [
    path("", views.dataset_list, name="list"),
    path("neu/", views.dataset_add, name="add"),
    path("<id:pk>/", views.dataset_edit, name="edit"),
    path("<id:pk>/veroeffentlichen/", views.dataset_publish, name="publish"),
    path("<id:pk>/zurueckziehen/", views.dataset_withdraw, name="withdraw"),
]

from django.urls import path

from rathaus.catalog import export, views

app_name = "catalog"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("suche", views.search_view, name="search"),
    path("leistungen.csv", export.services_csv, name="export_csv"),
    path("leistungen.json", export.services_json, name="export_json"),
    path("thema/<slug:topic_slug>/", views.topic, name="topic"),
    path(
        "thema/<slug:topic_slug>/<slug:situation_slug>/",
        views.life_situation,
        name="life_situation",
    ),
    path("ohne-schluessel/<id:pk>/", views.service_without_key, name="service_without_key"),
    path("<str:leika_key>/", views.service_detail, name="service"),
    path("<str:leika_key>/online-beantragen/", views.apply_online, name="apply"),
]

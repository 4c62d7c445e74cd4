"""Public pages and feeds of construction sites and disruptions, below ``/baustellen/``."""

from django.urls import path

from rathaus.construction import feeds, views

app_name = "construction"

urlpatterns = [
    path("", views.site_list, name="list"),
    path("baustellen.geojson", feeds.geojson, name="geojson"),
    path("baustellen.ics", feeds.icalendar, name="ics"),
    path("baustellen.atom", feeds.atom, name="atom"),
    path("<uuid:uid>/", views.site_detail, name="site"),
]

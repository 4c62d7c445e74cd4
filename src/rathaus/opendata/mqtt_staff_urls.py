"""The dead-letter page of the MQTT consumer, below ``/verwaltung/sensordaten/fehler/``."""

from django.urls import URLPattern, path

from rathaus.opendata import mqtt_staff_views

app_name = "mqtt_staff"

urlpatterns: list[URLPattern] = [
    path("", mqtt_staff_views.dead_letter_list, name="dead_letters"),
]

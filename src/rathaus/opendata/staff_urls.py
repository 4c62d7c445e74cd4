"""Staff addresses of the sensor data, below ``/verwaltung/sensordaten/`` (ADR 0061).

The dead letters of the MQTT consumer have their own include at ``fehler/``.
"""

from django.urls import URLPattern, path

from rathaus.opendata import staff_views

app_name = "opendata_staff"

urlpatterns: list[URLPattern] = [
    path("schwellenwerte/", staff_views.thresholds, name="thresholds"),
    path("schwellenwerte/neu/", staff_views.threshold_edit, name="threshold_add"),
    path("schwellenwerte/<id:pk>/", staff_views.threshold_edit, name="threshold_edit"),
]

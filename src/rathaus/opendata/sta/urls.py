"""``/sta/v1.1/``: the SensorThings service root and everything below it."""

from django.urls import re_path

from rathaus.opendata.sta import views

app_name = "sta"

urlpatterns = [
    re_path(r"^$", views.dispatch, name="root"),
    re_path(r"^(?P<path>.+)$", views.dispatch, name="resource"),
]

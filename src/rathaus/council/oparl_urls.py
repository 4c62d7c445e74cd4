"""The OParl 1.1 server below ``/oparl/v1/``."""

from django.urls import URLPattern, URLResolver

app_name = "oparl"

urlpatterns: list[URLPattern | URLResolver] = []

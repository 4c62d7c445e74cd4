"""Public official notices below ``/bekanntmachungen/``."""

from django.urls import URLPattern, URLResolver

app_name = "noticeboard"

urlpatterns: list[URLPattern | URLResolver] = []

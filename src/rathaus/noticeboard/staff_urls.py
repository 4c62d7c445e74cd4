"""Staff pages for notices and screens, below ``/verwaltung/bekanntmachungen/``."""

from django.urls import URLPattern, URLResolver

app_name = "noticeboard_staff"

urlpatterns: list[URLPattern | URLResolver] = []

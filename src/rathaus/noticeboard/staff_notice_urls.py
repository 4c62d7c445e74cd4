"""Part of the staff pages below ``/verwaltung/bekanntmachungen/`` (namespace
``noticeboard_staff``)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

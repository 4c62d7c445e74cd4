"""Part of the staff pages below ``/verwaltung/rat/`` (namespace ``council_staff``)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

"""Staff pages that keep the council's information, below ``/verwaltung/rat/``."""

from django.urls import URLPattern, URLResolver

app_name = "council_staff"

urlpatterns: list[URLPattern | URLResolver] = []

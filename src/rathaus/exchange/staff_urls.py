"""The outbox of exchanged submissions, below ``/verwaltung/austausch/`` (ADR 0053)."""

from django.urls import URLPattern, path

from rathaus.exchange import staff_views

app_name = "exchange"

urlpatterns: list[URLPattern] = [
    path("", staff_views.outbox, name="outbox"),
    path("<uuid:pk>/", staff_views.outgoing_detail, name="outgoing"),
]

"""Addresses of the cash office's pages, below ``/verwaltung/zahlungen/`` (ADR 0049)."""

from django.urls import URLPattern, path

from rathaus.payments import staff_views

app_name = "payments_staff"

urlpatterns: list[URLPattern] = [
    path("", staff_views.payment_list, name="list"),
    path("abgleich/", staff_views.reconciliation, name="reconciliation"),
    path("abgleich/tagesabschluss.csv", staff_views.reconciliation_csv, name="reconciliation_csv"),
    path("gebuehren/", staff_views.fee_list, name="fees"),
    path("gebuehren/neu/", staff_views.fee_edit, name="fee_add"),
    path("gebuehren/<id:pk>/", staff_views.fee_edit, name="fee_edit"),
    path("einstellungen/", staff_views.office_settings, name="settings"),
    path("<uuid:pk>/", staff_views.payment_detail, name="detail"),
]

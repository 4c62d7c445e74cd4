"""Citizen pages of payments, under ``/zahlung/``."""

from django.urls import path

from rathaus.payments import views

app_name = "payments"

urlpatterns = [
    path("<uuid:pk>/", views.pay, name="pay"),
    path("<uuid:pk>/zurueck/", views.returned, name="returned"),
    path("<uuid:pk>/quittung/", views.receipt, name="receipt"),
    path("<uuid:pk>/quittung.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("antrag/<uuid:submission_id>/", views.for_submission, name="for_submission"),
]

"""Citizen pages of payments, under ``/zahlung/``."""

from django.urls import path

from rathaus.payments import views

app_name = "payments"

urlpatterns = [
    path("antrag/<uuid:submission_id>/", views.for_submission, name="for_submission"),
]

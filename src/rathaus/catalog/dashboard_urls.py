from django.urls import path

from rathaus.catalog import dashboard_views

app_name = "ozg"

urlpatterns = [
    path("", dashboard_views.status_page, name="dashboard"),
    path("leistungen/", dashboard_views.services_page, name="services"),
    path("umsetzungsstand.csv", dashboard_views.status_csv, name="csv"),
    path("umsetzungsstand.pdf", dashboard_views.status_pdf, name="pdf"),
]

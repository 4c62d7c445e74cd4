"""Staff pages for the authority's offer of services, mounted at /verwaltung/angebote/."""

from django.urls import path

from rathaus.catalog import staff_views

app_name = "catalog_staff"

urlpatterns = [
    path("", staff_views.offer_list, name="list"),
    path("neu/", staff_views.offer_add, name="add"),
    path("<id:pk>/", staff_views.offer_edit, name="edit"),
    path("<id:pk>/zurueckziehen/", staff_views.offer_withdraw, name="withdraw"),
]

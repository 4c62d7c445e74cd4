"""Staff pages of construction sites and disruptions, below ``/verwaltung/baustellen/``."""

from django.urls import path

from rathaus.construction import staff_views

app_name = "construction_staff"

urlpatterns = [
    path("", staff_views.site_list, name="list"),
    path("neu/", staff_views.site_add, name="add"),
    path("<id:pk>/", staff_views.site_edit, name="edit"),
    path("<id:pk>/veroeffentlichen/", staff_views.site_publish, name="publish"),
    path("<id:pk>/zurueckziehen/", staff_views.site_withdraw, name="withdraw"),
    path("<id:pk>/dokumente/", staff_views.document_add, name="document_add"),
    path(
        "<id:pk>/dokumente/<id:document>/entfernen/",
        staff_views.document_remove,
        name="document_remove",
    ),
]

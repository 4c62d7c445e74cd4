"""Staff pages of construction sites and disruptions, below ``/verwaltung/baustellen/``."""

from django.urls import path

from rathaus.construction import staff_views

app_name = "construction_staff"

urlpatterns = [
    path("", staff_views.site_list, name="list"),
    path("neu/", staff_views.site_add, name="add"),
    path("<int:pk>/", staff_views.site_edit, name="edit"),
    path("<int:pk>/veroeffentlichen/", staff_views.site_publish, name="publish"),
    path("<int:pk>/zurueckziehen/", staff_views.site_withdraw, name="withdraw"),
    path("<int:pk>/dokumente/", staff_views.document_add, name="document_add"),
    path(
        "<int:pk>/dokumente/<int:document>/entfernen/",
        staff_views.document_remove,
        name="document_remove",
    ),
]

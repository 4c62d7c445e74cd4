"""Staff pages of construction projects, below ``/verwaltung/baustellen/bauvorhaben/``."""

from django.urls import path

from rathaus.construction import project_staff_views as views

app_name = "construction_projects_staff"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("neu/", views.project_edit, name="add"),
    path("<id:pk>/", views.project_edit, name="edit"),
    path("<id:pk>/veroeffentlichung/", views.project_publish, name="publish"),
    path("<id:pk>/abschnitte/neu/", views.phase_edit, name="phase_add"),
    path("<id:pk>/abschnitte/<id:phase>/", views.phase_edit, name="phase_edit"),
    path("<id:pk>/abschnitte/<id:phase>/verschieben/", views.phase_move, name="phase_move"),
    path("<id:pk>/abschnitte/<id:phase>/entfernen/", views.phase_remove, name="phase_remove"),
    path("<id:pk>/bilder/neu/", views.picture_add, name="picture_add"),
    path("<id:pk>/bilder/<id:picture>/", views.picture_edit, name="picture_edit"),
    path("<id:pk>/bilder/<id:picture>/verschieben/", views.picture_move, name="picture_move"),
    path("<id:pk>/bilder/<id:picture>/entfernen/", views.picture_remove, name="picture_remove"),
]

"""Staff pages of construction projects, below ``/verwaltung/baustellen/bauvorhaben/``."""

from django.urls import path

from rathaus.construction import project_staff_views as views

app_name = "construction_projects_staff"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("neu/", views.project_edit, name="add"),
    path("<int:pk>/", views.project_edit, name="edit"),
    path("<int:pk>/veroeffentlichung/", views.project_publish, name="publish"),
    path("<int:pk>/abschnitte/neu/", views.phase_edit, name="phase_add"),
    path("<int:pk>/abschnitte/<int:phase>/", views.phase_edit, name="phase_edit"),
    path("<int:pk>/abschnitte/<int:phase>/verschieben/", views.phase_move, name="phase_move"),
    path("<int:pk>/abschnitte/<int:phase>/entfernen/", views.phase_remove, name="phase_remove"),
    path("<int:pk>/bilder/neu/", views.picture_add, name="picture_add"),
    path("<int:pk>/bilder/<int:picture>/", views.picture_edit, name="picture_edit"),
    path("<int:pk>/bilder/<int:picture>/verschieben/", views.picture_move, name="picture_move"),
    path("<int:pk>/bilder/<int:picture>/entfernen/", views.picture_remove, name="picture_remove"),
]

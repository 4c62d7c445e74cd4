from django.urls import path

from rathaus.legal import staff_views

app_name = "legal_staff"

urlpatterns = [
    path("", staff_views.authorities, name="list"),
    path("<slug:slug>/", staff_views.edit, name="edit"),
]

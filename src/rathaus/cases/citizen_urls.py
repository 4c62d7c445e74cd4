from django.urls import path

from rathaus.cases import citizen_views

app_name = "cases_citizen"

urlpatterns = [
    path("", citizen_views.my_applications, name="list"),
    path("<str:reference>/", citizen_views.application, name="detail"),
]

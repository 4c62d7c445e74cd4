from django.urls import path

from rathaus.assemblies import views

app_name = "assemblies"

urlpatterns = [path("", views.notice, name="notice")]

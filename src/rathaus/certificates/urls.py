from django.urls import path

from rathaus.certificates import views

app_name = "certificates"

urlpatterns = [path("", views.start, name="start")]

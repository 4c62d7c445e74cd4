"""The teachers' pages below ``/schule/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.schools import teacher_views

app_name = "schools_teacher"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", teacher_views.home, name="home"),
    path("anmelden/", teacher_views.login_view, name="login"),
    path("abmelden/", teacher_views.logout_view, name="logout"),
    path("einladung/<str:uid>/<str:token>/", teacher_views.invitation, name="invitation"),
    path("meldung/", teacher_views.report, name="report"),
    path("meldung/<id:pk>/", teacher_views.request_page, name="request"),
    path("meldung/<id:pk>/foto/", teacher_views.photo, name="photo"),
]

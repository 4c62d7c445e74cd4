from django.urls import path

from rathaus.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("registrieren/", views.register, name="register"),
    path("registriert/", views.registered, name="registered"),
    path("bestaetigen/<str:uidb64>/<str:token>/", views.confirm, name="confirm"),
    path("bestaetigen/erneut/", views.resend, name="resend"),
    path("anmelden/", views.login_view, name="login"),
    path("abmelden/", views.logout_view, name="logout"),
    path("profil/", views.profile, name="profile"),
]

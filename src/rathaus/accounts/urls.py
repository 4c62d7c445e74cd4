from django.urls import path

from rathaus.accounts import (
    gdpr_views,
    mailbox_views,
    oidc_views,
    saml_views,
    security_views,
    views,
)

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("registrieren/", views.register, name="register"),
    path("registrieren/pruefung/", views.challenge, name="challenge"),
    path("registriert/", views.registered, name="registered"),
    path("bestaetigen/<str:uidb64>/<str:token>/", views.confirm, name="confirm"),
    path("bestaetigen/erneut/", views.resend, name="resend"),
    path("anmelden/", views.login_view, name="login"),
    path("anmelden/oidc/", oidc_views.oidc_start, name="oidc_start"),
    path("anmelden/oidc/antwort/", oidc_views.oidc_callback, name="oidc_callback"),
    path("anmelden/saml/", saml_views.saml_start, name="saml_start"),
    path("anmelden/saml/antwort/", saml_views.saml_acs, name="saml_acs"),
    path("saml/metadaten/", saml_views.saml_metadata, name="saml_metadata"),
    path("abmelden/", views.logout_view, name="logout"),
    path("abmelden/ueberall/", security_views.logout_everywhere, name="logout_everywhere"),
    path("passwort/", security_views.password_change, name="password_change"),
    path("passwort-vergessen/", security_views.password_reset, name="password_reset"),
    path(
        "passwort-neu/<str:uidb64>/<str:token>/",
        security_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("profil/", views.profile, name="profile"),
    path("daten/", gdpr_views.my_data, name="my_data"),
    path("daten/herunterladen/", gdpr_views.export, name="export"),
    path("postfach/", mailbox_views.inbox, name="mailbox"),
    path("postfach/<id:pk>/", mailbox_views.message_detail, name="message"),
    path(
        "postfach/<id:pk>/anhang/<id:attachment_pk>/",
        mailbox_views.attachment,
        name="attachment",
    ),
]

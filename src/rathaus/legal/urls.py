from django.urls import path

from rathaus.legal import views

app_name = "legal"

urlpatterns = [
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy_notice, name="privacy"),
    path("barrierefreiheit/", views.accessibility_statement, name="accessibility"),
    path("leichte-sprache/", views.easy_language, name="easy_language"),
    path("gebaerdensprache/", views.sign_language, name="sign_language"),
]

from django.urls import path

from rathaus.forms import views

app_name = "forms"

urlpatterns = [
    path("fortsetzen/<str:token>/", views.resume, name="resume"),
    path("eingang/<uuid:submission_id>/", views.receipt, name="receipt"),
    path("eingang/<uuid:submission_id>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/<uuid:draft_id>/schritt/<slug:step_id>/", views.step, name="step"),
    path("<slug:slug>/<uuid:draft_id>/gespeichert/", views.saved, name="saved"),
    path("<slug:slug>/<uuid:draft_id>/pruefen/", views.check, name="check"),
    path("<slug:slug>/<uuid:draft_id>/verwerfen/", views.discard, name="discard"),
    path("<slug:slug>/<uuid:draft_id>/datei/<uuid:upload_id>/", views.upload, name="upload"),
]

"""The back office for cases, mounted at /verwaltung/vorgaenge/."""

from django.urls import path

from rathaus.cases import staff_views

app_name = "cases_staff"

# Case numbers may contain slashes (a unit's pattern such as "EMA/{year}/{number}"), hence
# <path:…>; every pattern is anchored at its end, so the longer ones still match first.
urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("<path:number>/dateien/<id:pk>/", staff_views.attachment, name="attachment"),
    path("<path:number>/dokumente/<id:pk>/", staff_views.document, name="document"),
    path("<path:number>/nachgereicht/<id:pk>/", staff_views.upload, name="upload"),
    path("<path:number>/bescheid-vorschau/", staff_views.decision_preview, name="decision_preview"),
    path("<path:number>/", staff_views.case_detail, name="case"),
]

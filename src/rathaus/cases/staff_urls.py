"""The back office for cases, mounted at /verwaltung/vorgaenge/."""

from django.urls import path

from rathaus.cases import staff_views

app_name = "cases_staff"

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("<str:number>/", staff_views.case_detail, name="case"),
    path("<str:number>/dateien/<int:pk>/", staff_views.attachment, name="attachment"),
    path("<str:number>/dokumente/<int:pk>/", staff_views.document, name="document"),
    path("<str:number>/nachgereicht/<int:pk>/", staff_views.upload, name="upload"),
]

"""Staff pages below ``/verwaltung/bekanntmachungen/``: official notices (``staff_notice_urls``)
and the screens of the digital notice board (``staff_screen_urls``, below ``anzeigen/``)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "noticeboard_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("anzeigen/", include("rathaus.noticeboard.staff_screen_urls")),
    path("", include("rathaus.noticeboard.staff_notice_urls")),
]

"""Part of the staff pages below ``/verwaltung/bekanntmachungen/`` (namespace
``noticeboard_staff``): official notices, their attachments, publication and proof of display."""

from django.urls import URLPattern, URLResolver, path

from rathaus.noticeboard import staff_notices

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff_notices.notice_list, name="list"),
    path("neu/", staff_notices.notice_add, name="add"),
    path("<id:pk>/", staff_notices.notice_edit, name="notice"),
    path("<id:pk>/planen/", staff_notices.notice_schedule, name="schedule"),
    path("<id:pk>/entwurf/", staff_notices.notice_unschedule, name="unschedule"),
    path("<id:pk>/zurueckziehen/", staff_notices.notice_withdraw, name="withdraw"),
    path("<id:pk>/aushangnachweis.pdf", staff_notices.notice_proof, name="proof"),
    path("<id:pk>/anlagen/", staff_notices.attachment_add, name="attachment_add"),
    path(
        "<id:pk>/anlagen/<id:attachment>/",
        staff_notices.attachment_download,
        name="attachment_download",
    ),
    path(
        "<id:pk>/anlagen/<id:attachment>/verschieben/",
        staff_notices.attachment_move,
        name="attachment_move",
    ),
    path(
        "<id:pk>/anlagen/<id:attachment>/entfernen/",
        staff_notices.attachment_remove,
        name="attachment_remove",
    ),
]

"""Part of the staff pages below ``/verwaltung/bekanntmachungen/`` (namespace
``noticeboard_staff``): the screens of the digital notice board, below ``anzeigen/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.noticeboard import staff_screens

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff_screens.screen_list, name="screens"),
    path("neu/", staff_screens.screen_add, name="screen_add"),
    path("<id:pk>/", staff_screens.screen_edit, name="screen"),
    path("<id:pk>/inhalte/neu/", staff_screens.slot_add, name="slot_add"),
    path("<id:pk>/inhalte/<id:slot>/", staff_screens.slot_edit, name="slot_edit"),
    path("<id:pk>/inhalte/<id:slot>/verschieben/", staff_screens.slot_move, name="slot_move"),
    path("<id:pk>/inhalte/<id:slot>/entfernen/", staff_screens.slot_remove, name="slot_remove"),
]

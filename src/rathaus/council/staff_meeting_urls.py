"""Part of the staff pages below ``/verwaltung/rat/`` (namespace ``council_staff``): meetings
with their agenda and files, papers with their consultations and files, the council's details."""

from django.urls import URLPattern, URLResolver, path

from rathaus.council import staff_meetings as meetings
from rathaus.council import staff_papers as papers

urlpatterns: list[URLPattern | URLResolver] = [
    path("", meetings.meeting_list, name="meetings"),
    path("gemeinderat/", meetings.body_settings, name="body"),
    path("sitzungen/neu/", meetings.meeting_add, name="meeting_add"),
    path("sitzungen/<id:pk>/", meetings.meeting_edit, name="meeting"),
    path("sitzungen/<id:pk>/loeschen/", meetings.meeting_delete, name="meeting_delete"),
    path("sitzungen/<id:pk>/tagesordnung/", meetings.agenda_add, name="agenda_add"),
    path("sitzungen/<id:pk>/tagesordnung/<id:item>/", meetings.agenda_edit, name="agenda_edit"),
    path("sitzungen/<id:pk>/tagesordnung/<id:item>/verschieben/", meetings.agenda_move,
         name="agenda_move"),
    path("sitzungen/<id:pk>/tagesordnung/<id:item>/entfernen/", meetings.agenda_remove,
         name="agenda_remove"),
    path("sitzungen/<id:pk>/vorlagen/", meetings.paper_link, name="paper_link"),
    path("sitzungen/<id:pk>/vorlagen/<id:consultation>/entfernen/", meetings.paper_unlink,
         name="paper_unlink"),
    path("sitzungen/<id:pk>/dateien/", meetings.meeting_file, name="meeting_file"),
    path("sitzungen/<id:pk>/dateien/<id:file>/entfernen/", meetings.meeting_file_remove,
         name="meeting_file_remove"),
    path("vorlagen/", papers.paper_list, name="papers"),
    path("vorlagen/neu/", papers.paper_add, name="paper_add"),
    path("vorlagen/<id:pk>/", papers.paper_edit, name="paper"),
    path("vorlagen/<id:pk>/loeschen/", papers.paper_delete, name="paper_delete"),
    path("vorlagen/<id:pk>/beratungen/", papers.consultation_add, name="consultation_add"),
    path("vorlagen/<id:pk>/beratungen/<id:consultation>/entfernen/", papers.consultation_remove,
         name="consultation_remove"),
    path("vorlagen/<id:pk>/dateien/", papers.paper_file, name="paper_file"),
    path("vorlagen/<id:pk>/dateien/<id:file>/entfernen/", papers.paper_file_remove,
         name="paper_file_remove"),
]  # fmt: skip

"""What the public may see of the council's files.

A non-public agenda item (nichtöffentlicher Tagesordnungspunkt) is served with its number,
order and name only: its result, resolution and files stay inside. A file that belongs only
to such items is not served at all — not in the file list, not as an object, not its content —
and answers 404 like a file that does not exist. A file that is also the invitation of a
meeting, part of a paper or of a public agenda item is public through that.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from rathaus.council.models import AgendaItem, Meeting, Paper


def only_in_closed_session() -> Q:
    """Files that belong to non-public agenda items and to nothing public."""
    file = OuterRef("pk")
    item_files = AgendaItem.auxiliary_files.through.objects
    closed = Exists(AgendaItem.objects.filter(public=False, resolution_file=file)) | Exists(
        item_files.filter(file=file, agendaitem__public=False)
    )
    public = (
        Exists(
            Meeting.objects.filter(
                Q(invitation=file) | Q(results_protocol=file) | Q(verbatim_protocol=file)
            )
        )
        | Exists(Meeting.auxiliary_files.through.objects.filter(file=file))
        | Exists(Paper.objects.filter(main_file=file))
        | Exists(Paper.auxiliary_files.through.objects.filter(file=file))
        | Exists(AgendaItem.objects.filter(public=True, resolution_file=file))
        | Exists(item_files.filter(file=file, agendaitem__public=True))
    )
    return closed & ~public

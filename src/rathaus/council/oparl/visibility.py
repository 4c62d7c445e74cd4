"""What the public may see of the council's files.

A file is served — in the OParl file list, as an object, its content, on the public pages — only
while it has a live public owner: a meeting that is not deleted (invitation, protocols, further
files), a paper that is not deleted (main or further file), or a public agenda item that is not
deleted, of a meeting that is not deleted (resolution or further file). Every other file answers
404 like a file that does not exist: one that belongs only to non-public agenda items
(nichtöffentliche Tagesordnungspunkte), one whose owners were all deleted, one that belongs to
nothing.

A deleted file that once had a public owner stays in the OParl list as ``deleted: true`` (id,
type, created and modified only), so a client that follows the list learns it is gone.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from rathaus.council.models import AgendaItem, Meeting, Paper


def _owned(alive: bool, public: bool = True) -> Q:
    """Files with an owner; with ``alive`` only owners that are not deleted, with ``public``
    no non-public agenda item."""
    file = OuterRef("pk")
    meetings, papers, items = Meeting.objects.all(), Paper.objects.all(), AgendaItem.objects.all()
    meeting_files = Meeting.auxiliary_files.through.objects.filter(file=file)
    paper_files = Paper.auxiliary_files.through.objects.filter(file=file)
    item_files = AgendaItem.auxiliary_files.through.objects.filter(file=file)
    if public:
        items, item_files = items.filter(public=True), item_files.filter(agendaitem__public=True)
    if alive:
        meetings, papers = meetings.filter(deleted=False), papers.filter(deleted=False)
        items = items.filter(deleted=False, meeting__deleted=False)
        meeting_files = meeting_files.filter(meeting__deleted=False)
        paper_files = paper_files.filter(paper__deleted=False)
        item_files = item_files.filter(
            agendaitem__deleted=False, agendaitem__meeting__deleted=False
        )
    return (
        Exists(
            meetings.filter(
                Q(invitation=file) | Q(results_protocol=file) | Q(verbatim_protocol=file)
            )
        )
        | Exists(meeting_files)
        | Exists(papers.filter(main_file=file))
        | Exists(paper_files)
        | Exists(items.filter(resolution_file=file))
        | Exists(item_files)
    )


def served() -> Q:
    """Files whose content and object are served: not deleted, with a live public owner."""
    return Q(deleted=False) & _owned(alive=True)


def listed() -> Q:
    """Files in the OParl list and answered as objects: the served ones, and the deleted ones
    that once had a public owner (written as ``deleted: true``)."""
    return served() | (Q(deleted=True) & _owned(alive=False))


def in_use() -> Q:
    """Files that a live object still uses, public or not: what deleting a paper, an agenda
    item or a meeting must not mark deleted (``staff_common.retire_files``)."""
    return _owned(alive=True, public=False)

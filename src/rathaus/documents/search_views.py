"""The e-file's search page for staff (/verwaltung/akten/suche/): a plain GET form, no script.

Only documents in files of the user's units are found (``search.search`` filters in SQL); each
hit shows the file number, the document, the version whose text matched and the matched words
in context, and links to the file.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core.bounds import parse_id
from rathaus.core.staff_views import staff_required
from rathaus.documents import search as documents_search

PAGE_SIZE = 20
MAX_PAGE = 50
"""Pages one can turn to: beyond a thousand hits, better words help more than paging."""


@never_cache
@require_safe
@staff_required
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[: documents_search.MAX_QUERY].strip()
    page = min(parse_id(request.GET.get("seite")) or 1, MAX_PAGE)
    hits = documents_search.search(
        request.user, text, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    more = len(hits) > PAGE_SIZE and page < MAX_PAGE

    def page_url(number: int) -> str:
        return "?" + urlencode({"q": text, "seite": number})

    return render(
        request,
        "documents/staff/search.html",
        {
            "text": text,
            "searched": bool(documents_search.parse(text)),
            "hits": hits[:PAGE_SIZE],
            "first_number": (page - 1) * PAGE_SIZE + 1,
            "previous_url": page_url(page - 1) if page > 1 else "",
            "next_url": page_url(page + 1) if more else "",
        },
    )

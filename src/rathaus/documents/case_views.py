"""From a case to its e-file: the case page links here, the file is found (or made) and shown."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.cases.access import visible_cases
from rathaus.core.staff_views import staff_required
from rathaus.documents import filing, services
from rathaus.documents.access import visible_files


@never_cache
@require_safe
@staff_required
def case_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """The file of a case the user may see; a case filed later than it changed (or from before
    the e-file) gets its file now and its documents by the worker."""
    case = visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404("no such case in the user's units")
    with transaction.atomic():
        new = not hasattr(case, "efile")
        file = services.file_for_case(case)
        if new:
            filing.queue(case.pk)
    if not visible_files(request.user).filter(pk=file.pk).exists():
        raise Http404("the case's file is kept by another unit")
    return redirect("documents:file", file.pk)

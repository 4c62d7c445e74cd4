"""The one download view for stored files: ``/dateien/<id>/<name>``, after the owners' rules."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core.files.access import may_download
from rathaus.core.files.serving import response
from rathaus.core.models import StoredFile
from rathaus.core.redirects import to_login
from rathaus.core.refusals import record_refusal


def url(stored: StoredFile) -> str:
    """The download address of a stored file (it works only for those the owners allow)."""
    return reverse("files:download", args=[stored.pk, stored.name])


@never_cache
@require_safe
def download(request: HttpRequest, pk: uuid.UUID, name: str) -> HttpResponseBase:
    stored = StoredFile.objects.filter(pk=pk).first()
    if stored is None:
        raise Http404("no such file")
    if not may_download(request, stored):
        if not request.user.is_authenticated:
            return to_login(request)  # it may be the citizen's own, from a link in an e-mail
        record_refusal(request, StoredFile._meta.label, str(stored.pk))
        raise Http404("not yours")
    return response(stored)

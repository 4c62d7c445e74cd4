from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.core.staff_auth import is_verified_staff


class RathausAdminSite(AdminSite):
    site_header = _("rathaus configuration")
    site_title = _("rathaus configuration")
    index_title = _("Configuration")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_verified_staff(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        """The admin has no login of its own: staff log in with password and TOTP code."""
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('staff:login')}?{urlencode({'next': target})}")

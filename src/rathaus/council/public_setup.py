"""What the public council pages register when the app is ready: the main navigation entry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from rathaus.core import navigation

    navigation.register(navigation.NavItem("council", _("Council"), "council:index", 68))

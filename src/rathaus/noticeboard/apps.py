"""Official notices and the screens of the digital notice board (ADR 0067)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticeboardConfig(AppConfig):
    name = "rathaus.noticeboard"
    verbose_name = _("Notice board")

    def ready(self) -> None:
        from rathaus.noticeboard import public_setup, publication, screen_demo

        public_setup.ready()  # navigation, subscription mails, purge of unconfirmed addresses
        publication.ready()  # the worker job, staff navigation, screen source, demo notices
        screen_demo.ready()  # the demo screens of Barleben

"""Official notices and the screens of the digital notice board (ADR 0067)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticeboardConfig(AppConfig):
    name = "rathaus.noticeboard"
    verbose_name = _("Notice board")

    def ready(self) -> None:
        from rathaus.noticeboard import public_setup

        public_setup.ready()
        from rathaus.noticeboard import publication

        publication.ready()
        from rathaus.noticeboard import screen_demo

        screen_demo.ready()  # the demo screens of Barleben (ADR 0067)

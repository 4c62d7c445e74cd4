from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "rathaus.documents"
    verbose_name = _("E-file")

    def ready(self) -> None:
        from rathaus.core import housekeeping
        from rathaus.documents import integrity, retention

        housekeeping.register("documents.retention", retention.mark_due, timedelta(days=1))
        housekeeping.register("documents.integrity", integrity.weekly, timedelta(days=7))

        from rathaus.core import navigation

        navigation.register_staff(
            navigation.StaffNavItem("efile", _("E-file"), "documents:files", 25)
        )

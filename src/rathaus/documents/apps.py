from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "rathaus.documents"
    verbose_name = _("E-file")

    def ready(self) -> None:
        from rathaus.core import navigation

        # xdomea exchange with the archive, for heads of unit and administrators (ADR 0045)
        navigation.register_staff(
            navigation.StaffNavItem(
                "xdomea", _("Archive (xdomea)"), "documents:xdomea", 75, navigation.manages
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "rathaus.documents"
    verbose_name = _("E-file")

    def ready(self) -> None:
        from rathaus.core import navigation

        navigation.register_staff(
            navigation.StaffNavItem("efile", _("E-file"), "documents:files", 25)
        )

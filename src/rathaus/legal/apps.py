from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "rathaus.legal"
    verbose_name = _("Legal pages")

    def ready(self) -> None:
        from rathaus.core import demo as core_demo
        from rathaus.core import navigation, pagecache
        from rathaus.core.files import access as file_access
        from rathaus.legal import demo, services
        from rathaus.legal.models import LegalTexts

        core_demo.register_loader("legal", demo.load)
        pagecache.invalidate_on(LegalTexts)
        navigation.register_staff(
            navigation.StaffNavItem(
                "legal", _("Legal pages"), "legal_staff:list", 85, navigation.manages
            )
        )
        file_access.register_owner("legal.LegalTexts", services.is_published_file)

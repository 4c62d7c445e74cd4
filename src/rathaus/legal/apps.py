from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rathaus.core.navigation import StaffUser


def _edits_legal_texts(staff: StaffUser) -> bool:
    from rathaus.legal.services import EDITING_ROLES

    return bool(staff.user.is_superuser or staff.role_names & set(EDITING_ROLES))


class LegalConfig(AppConfig):
    name = "rathaus.legal"
    label = "legal"
    verbose_name = _("Legal pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rathaus.core import demo as core_demo
        from rathaus.core import navigation
        from rathaus.core.files import access as file_access
        from rathaus.legal import demo, services

        core_demo.register_loader("legal", demo.load)
        navigation.register_staff(
            navigation.StaffNavItem(
                "legal", _("Legal pages"), "legal_staff:list", 85, _edits_legal_texts
            )
        )
        file_access.register_owner("legal.LegalTexts", services.is_published_file)

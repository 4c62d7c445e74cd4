from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rathaus.core.navigation import NavItem


class CoreConfig(AppConfig):
    name = "rathaus.core"
    label = "core"
    default = True
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rathaus.core import navigation

        navigation.register(NavItem("home", _("Home"), "core:home", 0))
        navigation.register(NavItem("contact", _("Offices and contact"), "core:contact", 90))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "rathaus.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rathaus.catalog import demo
        from rathaus.core import demo as core_demo
        from rathaus.core import navigation
        from rathaus.core.navigation import NavItem

        core_demo.register_loader("catalog", demo.load)
        navigation.register(NavItem("services", _("Services"), "catalog:browse", 10))
        navigation.register(NavItem("ozg", _("OZG status"), "ozg:dashboard", 80))

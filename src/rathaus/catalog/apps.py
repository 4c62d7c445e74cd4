from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "rathaus.catalog"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from rathaus.catalog import demo, export
        from rathaus.catalog.models import (
            LifeSituation,
            Offer,
            OzgService,
            Responsibility,
            Service,
            Topic,
        )
        from rathaus.core import demo as core_demo
        from rathaus.core import navigation, pagecache
        from rathaus.core.navigation import NavItem

        core_demo.register_loader("catalog", demo.load)
        pagecache.invalidate_on(Topic, LifeSituation, OzgService, Service, Offer, Responsibility)
        export.register()  # the service list as an open dataset (ADR 0064)
        navigation.register(NavItem("services", _("Services"), "catalog:browse", 10))
        navigation.register(NavItem("ozg", _("OZG status"), "ozg:dashboard", 80))
        navigation.register_staff(
            navigation.StaffNavItem("offers", _("Services"), "catalog_staff:list", 50)
        )
        browse = "catalog:browse"
        navigation.register_start_task(
            navigation.StartTask(
                "apply",
                _("Apply online"),
                _("Services you can apply for from home, at any time."),
                20,
                lambda authority: reverse(browse) + "?nur=online",
            )
        )
        navigation.register_start_task(
            navigation.StartTask(
                "a-z",
                _("Find a service from A to Z"),
                _("All services of the town hall in alphabetical order."),
                40,
                lambda authority: reverse(browse) + "#offers-heading",
            )
        )

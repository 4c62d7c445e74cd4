"""Construction sites, traffic disruptions and the town's construction projects (ADR 0063)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstructionConfig(AppConfig):
    name = "rathaus.construction"
    verbose_name = _("Construction sites")

    def ready(self) -> None:
        from rathaus.construction import projects, signage

        self._sites_ready()
        projects.ready()
        signage.ready()

    def _sites_ready(self) -> None:
        """Construction sites: the public entry "Baustellen", the staff entry for those who keep
        them, their documents as public downloads, the open dataset and the demo sites."""
        from rathaus.construction import demo, source, staff_views
        from rathaus.core import datasets, navigation
        from rathaus.core import demo as core_demo
        from rathaus.core.files import access

        navigation.register(
            navigation.NavItem("construction", _("Construction sites"), "construction:list", 65)
        )
        navigation.register_staff(
            navigation.StaffNavItem(
                "construction", _("Construction sites"), "construction_staff:list", 72,
                permitted=keeps_construction_sites,
            )
        )  # fmt: skip
        access.register_owner("construction.DisruptionDocument", staff_views.is_published_document)
        datasets.register(source.SOURCE)
        core_demo.register_loader("construction", demo.load)


def keeps_construction_sites(staff: object) -> bool:
    """Who keeps the construction sites and projects (``keepers.keeps``)."""
    from rathaus.construction import keepers

    return keepers.keeps(staff)

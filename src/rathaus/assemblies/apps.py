from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def route_map_options() -> dict[str, Any]:
    """What the route map's script needs, read when a page is shown (tests change it)."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    return {
        "tileUrl": settings.RATHAUS_MAP_TILE_URL,
        "attribution": settings.RATHAUS_MAP_ATTRIBUTION,
        # the map's initial view: Barleben and the Landkreis Börde
        "center": [52.2, 11.62],
        "zoom": 13,
        "labels": {
            "map": _("Map for drawing the route. Click the points of the route in order."),
            "add": _("Add the map's centre as a point"),
            "undo": _("Remove the last point"),
            "clear": _("Delete the route"),
            "none": _("No route drawn yet. Click on the map to add points."),
            "one": _("1 point. Add at least one more."),
            "many": _("%(count)s points drawn."),
        },
    }


class AssembliesConfig(AppConfig):
    name = "rathaus.assemblies"
    verbose_name = _("Assembly notices")

    def ready(self) -> None:
        from rathaus.assemblies import demo, process_tasks, rules
        from rathaus.core import demo as core_demo
        from rathaus.core.service_tasks import service_tasks
        from rathaus.forms.engine.extensions import FormScript, form_checks, form_scripts

        form_checks.register("assemblies.notice", rules.notice_problems)
        form_scripts.register(
            "assemblies.route-map",
            FormScript(
                scripts=("vendor/leaflet/leaflet.js", "assemblies/route-map.js"),
                styles=("vendor/leaflet/leaflet.css", "assemblies/route-map.css"),
                options=route_map_options,
            ),
        )
        service_tasks.register("offer_cooperation_talk", process_tasks.offer_cooperation_talk)
        service_tasks.register("decide_assembly", process_tasks.decide_assembly)
        core_demo.register_loader("assemblies", demo.load)
        core_demo.login_notes.append(
            "Demo assembly notice: /antrag/versammlungsanzeige/ (on barleben.localhost it leads "
            "to the Landkreis's form on boerde.localhost; citizen login); staff of the "
            "Versammlungsbehörde: versammlung, /verwaltung/vorgaenge/"
        )

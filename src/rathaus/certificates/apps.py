from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "rathaus.certificates"
    verbose_name = _("Civil status certificates")

    def ready(self) -> None:
        from rathaus.certificates import demo
        from rathaus.core import demo as core_demo

        core_demo.register_loader("certificates", demo.load)
        core_demo.login_notes.append(
            "Demo certificate portal: /urkunden/ (order a birth, marriage or death certificate; "
            "staff: standesamt)"
        )

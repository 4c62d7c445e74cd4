from django.apps import AppConfig
from django.db.models import Count
from django.utils.translation import gettext_lazy as _


def submission_totals() -> dict[str, int]:
    """Stored submissions by channel, for /metrics (rathaus_submissions)."""
    from rathaus.forms.models import Submission

    rows = Submission.objects.order_by().values_list("channel").annotate(n=Count("pk"))
    # every known value, 0 when it has no row, so that alerts always find the series
    found = {value: 0 for value, _label in Submission._meta.get_field("channel").choices or ()}
    return found | dict(rows.values_list("channel", "n"))


class FormsConfig(AppConfig):
    name = "rathaus.forms"
    verbose_name = _("Online applications")

    def ready(self) -> None:
        from datetime import timedelta

        from rathaus.catalog import online
        from rathaus.core import demo as core_demo
        from rathaus.core import housekeeping, pagecache
        from rathaus.forms import demo, services, ways
        from rathaus.forms.models import FormDefinition, FormVersion

        online.register(online.Kind.FORM, "forms", ways.form_urls)
        online.register(online.Kind.REQUEST, "forms", ways.general_request_urls)
        pagecache.invalidate_on(FormDefinition, FormVersion)  # the ways on the public pages

        core_demo.register_loader("forms", demo.load)

        from rathaus.core import navigation

        navigation.register_staff(
            navigation.StaffNavItem("forms", _("Online forms"), "forms_staff:list", 60)
        )
        navigation.register_start_task(
            navigation.StartTask(
                "report",
                _("Report a problem"),
                _("A pothole, a broken street lamp, rubbish, a question or praise: write to us."),
                30,
                ways.general_request_url,
            )
        )
        core_demo.login_notes.append(
            "Demo online forms: /antrag/anliegen/ (no account needed), "
            "/antrag/meldebescheinigung/ (demo citizen login); staff: /verwaltung/vorgaenge/"
        )
        housekeeping.register(
            "forms.purge-expired-drafts", services.purge_expired, timedelta(hours=1)
        )

        from rathaus.core.files import access

        access.register_owner("forms.Upload", services.may_download)

        from rathaus.core import metrics

        metrics.register_total(
            "rathaus_submissions", "Stored submissions, by channel.", submission_totals, "channel"
        )

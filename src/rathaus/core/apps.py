from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.core.navigation import NavItem, StaffNavItem, StaffUser


def _configures(staff: StaffUser) -> bool:
    return bool(staff.user.is_superuser or staff.user.has_perm("core.change_authority"))


def register_staff_navigation() -> None:
    from rathaus.core import navigation

    navigation.register_staff(
        StaffNavItem("overview", _("Overview"), "staff:home", 0, navigation.anyone)
    )
    navigation.register_staff(
        StaffNavItem("tasks", _("Background tasks"), "staff:tasks", 80, navigation.manages)
    )
    navigation.register_staff(
        StaffNavItem("configuration", _("Configuration"), "admin:index", 90, _configures)
    )


class CoreConfig(AppConfig):
    name = "rathaus.core"
    default = True
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from rathaus.core import (
            admin_names,
            converters,
            navigation,
            pagecache,
            privacy,
            requestid,
            scanning,
        )
        from rathaus.core.models import Authority, AuthorityHost, OrgUnit
        from rathaus.core.session_timeout import on_user_logged_in
        from rathaus.core.signals import audit_admin_log_entry

        converters.register()
        requestid.connect_tasks()  # the request id in the tasks a request queues
        # what the start page, the contact page and every page's header and footer show
        pagecache.invalidate_on(Authority, AuthorityHost, OrgUnit)
        del privacy  # imported for its system check (rathaus.E040)
        admin_names.apply()
        post_save.connect(audit_admin_log_entry, sender=LogEntry, dispatch_uid="audit-admin-log")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="session-timeout-login")

        label = _("No virus scan (development only)")
        scanning.scanners.register("none", scanning.no_scanner, label=label)
        scanning.scanners.register("clamav", scanning.clamav_scanner, label=_("ClamAV (clamd)"))

        navigation.register(NavItem("home", _("Home"), "core:home", 0))
        navigation.register(NavItem("contact", _("Offices and contact"), "core:contact", 90))
        register_staff_navigation()
        navigation.register_start_task(
            navigation.StartTask(
                "contact",
                _("Contact"),
                _("Phone, e-mail, address and opening hours of our offices."),
                90,
                lambda authority: reverse("core:contact"),
            )
        )

        from datetime import timedelta

        from rathaus.core import audit, housekeeping, ratelimit

        housekeeping.register("core.rate-counters", ratelimit.delete_old, timedelta(hours=1))
        # Anchors the audit chains outside the database (ADR 0016); also registers its check.
        housekeeping.register("core.audit-checkpoint", audit.write_checkpoint, timedelta(hours=1))
        # The scheduled backup with retention (RATHAUS_BACKUP_DIR; off when it is empty).
        from rathaus.core.backup import schedule as backup_schedule

        backup_schedule.register()

        # Reliable tasks (ADR 0021): tasks of dead workers run again, work without a task gets one.
        from django.conf import settings

        from rathaus.core import mail, taskqueue

        sweep_every = timedelta(seconds=settings.RATHAUS_TASK_SWEEP_SECONDS)
        housekeeping.register("core.task-sweep", taskqueue.sweep, sweep_every)
        reconcile_every = timedelta(minutes=settings.RATHAUS_RECONCILE_MINUTES)
        housekeeping.register("core.reconcile", taskqueue.reconcile, reconcile_every)
        taskqueue.register_reconciler("e-mails", mail.reconcile_emails)
        taskqueue.register_description(mail.deliver_email.module_path, mail.describe_delivery)

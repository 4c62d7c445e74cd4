from django.contrib.admin.apps import AdminConfig


class RathausAdminConfig(AdminConfig):
    """The Django admin, guarded by the same password and TOTP login as the staff area."""

    default_site = "rathaus.core.admin_site.RathausAdminSite"

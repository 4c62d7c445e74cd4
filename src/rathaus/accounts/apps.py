from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rathaus.accounts"
    verbose_name = _("Citizen and business accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from rathaus.accounts import demo, lockouts, providers
        from rathaus.accounts.providers.local import LocalPasswordProvider
        from rathaus.accounts.providers.oidc import OIDCProvider
        from rathaus.accounts.providers.saml import SAMLProvider
        from rathaus.core import demo as core_demo
        from rathaus.core import navigation
        from rathaus.core.navigation import NavItem

        navigation.register(NavItem("account", _("My account"), "accounts:home", 50))
        core_demo.register_loader("accounts", demo.load)
        core_demo.login_notes.append(
            f"Demo citizen login at /konto/anmelden/: {demo.CITIZEN_EMAIL} "
            f"(password {core_demo.DEMO_PASSWORD})"
        )
        providers.login_providers.register(LocalPasswordProvider.key, LocalPasswordProvider())
        providers.login_providers.register(OIDCProvider.key, OIDCProvider())
        providers.login_providers.register(SAMLProvider.key, SAMLProvider())
        user_login_failed.connect(lockouts.record_failure, dispatch_uid="rathaus-login-failure")
        user_logged_in.connect(lockouts.after_login, dispatch_uid="rathaus-login-delay-reset")

        from rathaus.accounts import mailbox
        from rathaus.core.files import access

        access.register_owner("accounts.MessageAttachment", mailbox.may_download)

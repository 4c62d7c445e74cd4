"""What the accounts app does with personal data (the sections of the privacy notice, ADR 0024)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="accounts.account",
        title=_("Your user account"),
        purpose=_(
            "To let you apply online, follow your applications and receive decisions without "
            "typing your details every time. Opening an account is voluntary; you can also "
            "apply without an account, on paper or in person."
        ),
        legal_basis=_(
            "Art. 6 (1) (a) GDPR (your consent when you register) and Art. 6 (1) (e) GDPR "
            "together with § 8 Onlinezugangsgesetz."
        ),
        data=_(
            "E-mail address, password (only as a secure hash), name or name of the organisation, "
            "and what you enter yourself: address, date of birth, phone. Which version of the "
            "privacy notice you agreed to and when."
        ),
        recipients=_("Nobody outside the authority."),
        retention=_(
            "Until you delete the account on the page “My data”, unless an application of yours "
            "is still open. You can download all your data there at any time."
        ),
        models=("accounts.Account", "accounts.Consent"),
    ),
    Activity(
        key="accounts.login",
        title=_("Login and protection against attacks"),
        purpose=_(
            "To protect your account: failed logins slow down further attempts and lock them "
            "for a while, and registrations per network address are limited."
        ),
        legal_basis=_("Art. 6 (1) (e) GDPR together with Art. 32 GDPR."),
        data=_("User name, network address, time and number of failed logins and registrations."),
        recipients=_("Nobody outside the authority."),
        retention=_(
            "Registration attempts are deleted after one hour; failed logins are forgotten after "
            "the next successful login."
        ),
        models=("accounts.LoginDelay", "accounts.RegistrationAttempt"),
    ),
    Activity(
        key="accounts.oidc",
        title=_("Login with BundID or another identity service"),
        purpose=_(
            "If you choose to log in with an identity service (for example BundID with your "
            "ID card), to know that it is you and how securely you were identified."
        ),
        legal_basis=_("Art. 6 (1) (e) GDPR together with § 8 and § 9 Onlinezugangsgesetz."),
        data=_(
            "The identifier the service gives you for this portal, the level of trust of the "
            "login, and the details the service passes on with your agreement (name, address, "
            "date of birth)."
        ),
        recipients=_(
            "The identity service you chose learns that you log in to this portal; it is "
            "responsible for its own processing."
        ),
        retention=_("As long as your account exists."),
        models=("accounts.ExternalIdentity",),
        # The same for OpenID Connect and SAML 2.0 (BundID): an identifier, a level, details.
        applies=lambda: bool(settings.RATHAUS_OIDC_ISSUER or settings.RATHAUS_SAML_IDP_METADATA),
    ),
    Activity(
        key="accounts.mailbox",
        title=_("Your mailbox"),
        purpose=_("To send you messages and decisions securely instead of by post or e-mail."),
        legal_basis=_("Art. 6 (1) (e) GDPR together with § 9 Onlinezugangsgesetz."),
        data=_("The messages, their attachments, and when you read them."),
        recipients=_("Only you and the staff handling your case."),
        retention=_("As long as your account exists, unless you delete a message earlier."),
        models=("accounts.Message", "accounts.MessageAttachment"),
    ),
)

# A solved person check is kept only as the hash of a random challenge, to refuse it a second time;
# a SAML response and assertion only as the random ids the identity provider gave them.
WITHOUT_PERSONAL_DATA = ("accounts.UsedChallenge", "accounts.UsedSamlMessage")

"""The processing activities of the installed apps: the sections of the privacy notice.

Each app declares what it does with personal data in its own ``privacy.py`` module (ADR 0024):
``ACTIVITIES``, a sequence of :class:`Activity` (purpose, legal basis, data, recipients,
retention — the items of Art. 13 GDPR), each naming the models whose rows it covers, and
``WITHOUT_PERSONAL_DATA``, the models that hold none. The privacy notice has one section per
activity, in the order of ``INSTALLED_APPS``. :func:`problems` lists every activity without
text and every model of an installed rathaus app that no declaration names, so a new model or
a new activity cannot go live without its section (system check ``rathaus.E040`` and a test).

Like the admin's ``admin.py``, the modules are found by name: core does not import the apps
above it (ADR 0014).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core import checks
from django.utils.translation import gettext_lazy as _

Text = Any  # a str or lazy translated text


def always() -> bool:
    return True


@dataclass(frozen=True)
class Activity:
    """One processing activity: what the privacy notice says about it (Art. 13 GDPR)."""

    key: str
    title: Text
    purpose: Text
    legal_basis: Text
    data: Text
    recipients: Text
    retention: Text
    models: tuple[str, ...] = field(default=())  # "app_label.Model" of the rows it covers
    # Whether the installation performs it now (e.g. only with an identity provider configured).
    applies: Callable[[], bool] = always
    app: str = ""  # filled in when the declarations are collected

    def texts(self) -> dict[str, str]:
        return {
            "title": str(self.title),
            "purpose": str(self.purpose),
            "legal_basis": str(self.legal_basis),
            "data": str(self.data),
            "recipients": str(self.recipients),
            "retention": str(self.retention),
        }


@dataclass(frozen=True)
class Declaration:
    app: str
    activities: tuple[Activity, ...]
    without_personal_data: tuple[str, ...]


def _rathaus_apps() -> list[Any]:
    return [config for config in apps.get_app_configs() if config.name.startswith("rathaus.")]


def declarations() -> list[Declaration]:
    """The declarations of the installed rathaus apps that have a ``privacy`` module."""
    found = []
    for config in _rathaus_apps():
        name = f"{config.name}.privacy"
        if find_spec(name) is None:
            continue
        module = import_module(name)
        found.append(
            Declaration(
                app=config.label,
                activities=tuple(
                    Activity(**{**activity.__dict__, "app": config.label})
                    for activity in getattr(module, "ACTIVITIES", ())
                ),
                without_personal_data=tuple(getattr(module, "WITHOUT_PERSONAL_DATA", ())),
            )
        )
    return found


def activities(*, performed_only: bool = True) -> list[Activity]:
    """The processing activities of the installed apps, in the order of ``INSTALLED_APPS``:
    those the installation performs with its configuration, or all declared."""
    return [
        activity
        for declaration in declarations()
        for activity in declaration.activities
        if not performed_only or activity.applies()
    ]


def problems(found: list[Declaration] | None = None) -> list[str]:
    """What keeps the privacy notice from being complete; empty when it is."""
    found = declarations() if found is None else found
    result: list[str] = []
    seen: set[str] = set()
    named: set[str] = set()
    known = {model._meta.label for model in apps.get_models()}
    for declaration in found:
        named.update(declaration.without_personal_data)
        for activity in declaration.activities:
            if activity.key in seen:
                result.append(f"{declaration.app}: activity {activity.key!r} is declared twice")
            seen.add(activity.key)
            for name, text in activity.texts().items():
                if not text.strip():
                    result.append(
                        f"{declaration.app}: activity {activity.key!r} has no text for {name}"
                    )
            for label in activity.models:
                if label not in known:
                    result.append(f"{declaration.app}: activity {activity.key!r} names "
                                  f"{label}, which is no installed model")  # fmt: skip
            named.update(activity.models)
    for config in _rathaus_apps():
        for model in config.get_models():
            if model._meta.label not in named:
                result.append(
                    f"{config.label}: model {model._meta.label} is in no processing activity "
                    "and not declared as without personal data (privacy.py)"
                )
    return result


@checks.register()
def check_privacy_notice(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            problem,
            hint="Declare the processing activity with its texts in the app's privacy.py.",
            id="rathaus.E040",
        )
        for problem in problems()
    ]


# --- what core itself does ---------------------------------------------------------------------


ACTIVITIES = (
    Activity(
        key="core.server-logs",
        title=_("Visiting the portal (server logs)"),
        purpose=_(
            "To deliver the pages you ask for, to find errors and to defend the portal against "
            "attacks and misuse, for example too many requests from one address."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR together with the duty to keep processing secure (Art. 32 GDPR)."
        ),
        data=_(
            "Network (IP) address, time, the address of the page requested, the answer code and "
            "the name of your browser. Counters of requests per network address."
        ),
        recipients=_(
            "Nobody outside the authority. If a service provider runs the portal for the "
            "authority, it does so on its behalf and bound by its instructions (Art. 28 GDPR)."
        ),
        retention=_(
            "Counters of requests are deleted after one day. Server logs are deleted after "
            "fourteen days at the latest, unless they are needed to investigate an attack."
        ),
        models=("core.RateCounter",),
    ),
    Activity(
        key="core.cookies",
        title=_("Cookies"),
        purpose=_(
            "The portal sets only cookies that are technically necessary: one keeps you logged "
            "in and remembers unfinished applications (session), one protects forms against "
            "misuse (CSRF), one remembers the language you chose. There are no cookies for "
            "statistics or advertising, and no content from other websites."
        ),
        legal_basis=_(
            "§ 25 (2) no. 2 TDDDG (strictly necessary for the service you asked for) and "
            "Art. 6 (1) (e) GDPR."
        ),
        data=_("A random session number, a random form key, the chosen language."),
        recipients=_("Nobody."),
        retention=_(
            "The session ends when you log out and after eight hours at the latest; the "
            "language cookie is deleted when you close the browser, the form key after a year."
        ),
    ),
    Activity(
        key="core.security-log",
        title=_("Security log"),
        purpose=_(
            "To prove that the portal is used properly and to notice attacks: logins, failed "
            "logins, changes to accounts and every action of staff are recorded in a log that "
            "cannot be changed unnoticed."
        ),
        legal_basis=_("Art. 6 (1) (c) and (e) GDPR together with Art. 5 (2) and Art. 32 GDPR."),
        data=_("Who did what and when, the network address, the object concerned."),
        recipients=_(
            "Only the administrators of the authority, and the supervisory authority if it asks."
        ),
        retention=_("As long as the records of the administration that they prove are kept."),
        models=("core.AuditEvent",),
    ),
    Activity(
        key="core.email",
        title=_("E-mails from the portal"),
        purpose=_(
            "To confirm your registration, bookings and applications and to tell you that a "
            "new message is waiting in your mailbox. The e-mails contain no case details."
        ),
        legal_basis=_("Art. 6 (1) (e) GDPR together with the Onlinezugangsgesetz."),
        data=_("Your e-mail address, the text of the e-mail, time of sending."),
        recipients=_("The e-mail provider of the authority, which delivers the e-mail."),
        retention=_("Sent e-mails are kept as long as the case or booking they belong to."),
        models=("core.OutgoingEmail", "core.OutgoingAttachment", "core.StoredFile"),
    ),
    Activity(
        key="core.staff",
        title=_("Access for staff of the administration"),
        purpose=_(
            "To give staff of the authority access to the cases of their units, with a login in "
            "two steps and personal keys for specialist software."
        ),
        legal_basis=_("Art. 6 (1) (b) and (c) GDPR together with the employment law of the Land."),
        data=_("Name, user name, unit, role, key names and when they were used."),
        recipients=_("Nobody outside the authority."),
        retention=_("Until the person leaves the authority."),
        models=("core.Membership", "core.ApiToken"),
    ),
)

WITHOUT_PERSONAL_DATA = (
    "core.Authority", "core.AuthorityHost", "core.OrgUnit", "core.Locality", "core.PostalPlace",
    "core.AuditChainHead", "core.WorkerHeartbeat", "core.DeadLetter", "core.ScheduledJob",
    "core.Sequence",
)  # fmt: skip

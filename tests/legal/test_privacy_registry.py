"""The privacy notice has a section for every processing activity of the installed apps."""

from __future__ import annotations

import dataclasses

from django.test import Client
from django.utils.html import escape

from rathaus.core import privacy


def test_every_model_and_activity_of_the_installed_apps_has_its_privacy_section():
    assert privacy.problems() == []
    keys = [activity.key for activity in privacy.activities(performed_only=False)]
    for expected in ("core.server-logs", "core.cookies", "core.security-log", "core.email",
                     "accounts.account", "accounts.login", "accounts.oidc", "accounts.mailbox",
                     "forms.applications", "forms.virus-scan", "cases.cases",
                     "appointments.booking", "legal.accessibility-feedback"):  # fmt: skip
        assert expected in keys


def _without(declarations, label):
    """The declarations as if an app had added the model ``label`` without declaring it."""
    changed = []
    for declaration in declarations:
        activities = tuple(
            dataclasses.replace(item, models=tuple(m for m in item.models if m != label))
            for item in declaration.activities
        )
        rest = tuple(m for m in declaration.without_personal_data if m != label)
        changed.append(dataclasses.replace(declaration, activities=activities,
                                           without_personal_data=rest))  # fmt: skip
    return changed


def test_a_model_in_no_activity_fails():
    found = privacy.problems(_without(privacy.declarations(), "appointments.Booking"))
    assert found == [
        "appointments: model appointments.Booking is in no processing activity and not "
        "declared as without personal data (privacy.py)"
    ]


def test_an_activity_without_text_fails():
    declarations = privacy.declarations()
    first = declarations[0]
    silent = dataclasses.replace(first.activities[0], key="core.new", retention="  ", models=())
    declarations[0] = dataclasses.replace(first, activities=(*first.activities, silent))
    assert privacy.problems(declarations) == ["core: activity 'core.new' has no text for retention"]


def test_the_system_check_reports_the_problems(monkeypatch):
    monkeypatch.setattr(privacy, "problems", lambda: ["cases: model cases.Case is in no …"])
    messages = privacy.check_privacy_notice()
    assert [message.id for message in messages] == ["rathaus.E040"]


def test_the_privacy_notice_shows_every_activity_with_all_its_texts(barleben):
    html = Client().get("/datenschutz/").content.decode()
    for activity in privacy.activities():
        for text in activity.texts().values():
            assert escape(text) in html, text
    assert "Landesbeauftragter für den Datenschutz Sachsen-Anhalt" in html


def test_an_activity_the_installation_does_not_perform_has_no_section(barleben, settings):
    settings.RATHAUS_OIDC_ISSUER = ""
    settings.RATHAUS_SAML_IDP_METADATA = ""
    settings.RATHAUS_VIRUS_SCANNER = "none"
    html = Client().get("/datenschutz/").content.decode()
    assert "Anmeldung mit BundID" not in html
    assert "Prüfung hochgeladener Dateien auf Viren" not in html
    settings.RATHAUS_SAML_IDP_METADATA = "/etc/rathaus/bundid-metadata.xml"  # BundID over SAML
    html = Client().get("/datenschutz/").content.decode()
    assert "Anmeldung mit BundID oder einem anderen Identitätsdienst" in html
    settings.RATHAUS_SAML_IDP_METADATA = ""
    settings.RATHAUS_OIDC_ISSUER = "https://id.example.org"
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    html = Client().get("/datenschutz/").content.decode()
    assert "Anmeldung mit BundID oder einem anderen Identitätsdienst" in html
    assert "Prüfung hochgeladener Dateien auf Viren" in html
